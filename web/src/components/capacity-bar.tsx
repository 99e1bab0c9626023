// Memory per device against its capacity: weights, KV cache, activations, workspace (and a draft model).
import type { MemoryReport } from '../core/protocol.ts';
import { formatBytes, formatPercent } from '../format/units.ts';
import { OKABE_ITO } from '../format/palette.ts';

const PARTS = [
  ['weightsBytes', 'weights', OKABE_ITO.blue],
  ['kvCacheBytes', 'KV cache', OKABE_ITO.orange],
  ['activationBytes', 'activations', OKABE_ITO.green],
  ['workspaceBytes', 'workspace', OKABE_ITO.skyBlue],
  ['draftBytes', 'draft model', OKABE_ITO.purple],
] as const;

export function CapacityBar({ memory }: { memory: MemoryReport }) {
  const scale = Math.max(memory.capacityBytes, memory.perDeviceBytes);
  const parts = PARTS.filter(([key]) => memory[key] > 0);
  return (
    <div className="capacity">
      <div className="capacity-track" role="img"
        aria-label={`${formatBytes(memory.perDeviceBytes)} of ${formatBytes(memory.capacityBytes)} per device`}>
        {parts.map(([key, label, color]) => (
          <div key={key} className="capacity-part" title={`${label}: ${formatBytes(memory[key])}`}
            style={{ width: `${(100 * memory[key]) / scale}%`, background: color }} />
        ))}
        <div className="capacity-limit" style={{ left: `${(100 * memory.capacityBytes) / scale}%` }} title="capacity" />
      </div>
      <ul className="legend">
        {parts.map(([key, label, color]) => (
          <li key={key}><span className="swatch" style={{ background: color }} />{label} {formatBytes(memory[key])}</li>
        ))}
        <li>{formatPercent(memory.perDeviceBytes / memory.capacityBytes)} of {formatBytes(memory.capacityBytes)}</li>
      </ul>
    </div>
  );
}
