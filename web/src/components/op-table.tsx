// One phase's operators as a table, as `genz ops` prints them.
import type { OpReport } from '../core/protocol.ts';
import { formatBytes, formatCount, formatPercent, formatSeconds, trim } from '../format/units.ts';

export function OpTable({ ops, caption }: { ops: OpReport[]; caption: string }) {
  return (
    <table className="ops">
      <caption>{caption}</caption>
      <thead>
        <tr><th>op</th><th>count</th><th>shape</th><th>FLOPs</th><th>bytes</th><th>FLOP/B</th><th>bound</th><th>time</th><th>share</th></tr>
      </thead>
      <tbody>
        {ops.map((op) => (
          <tr key={`${op.name}-${op.shape}`}>
            <td>{op.name}</td><td>{op.count}</td><td className="shape">{op.shape}</td><td>{formatCount(op.flops)}</td>
            <td>{formatBytes(op.bytes)}</td><td>{trim(op.intensity)}</td><td>{op.bound}</td><td>{formatSeconds(op.latencyS)}</td>
            <td>{formatPercent(op.share)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
