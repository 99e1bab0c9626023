// Vidur's measured NCCL all-reduce and send/recv times on an H100 DGX (microsoft/vidur, MIT), replayed
// through the collective model over the 8x-h100-hgx preset's links. The size_elems column is bytes (Vidur writes its
// size column as fp16 elements × 2: calibrate/importers/vidur.ts).
import { collectiveS, resolveHardware, type EfficiencyProfile } from '../../index.ts';
import { parseCsv, num } from './csv.ts';
import type { Sample } from './error-stats.ts';

export function vidurCollectiveSamples(csv: string, efficiency: Pick<EfficiencyProfile, 'network' | 'collectiveOverheadS'>,
  keep: (index: number) => boolean): Sample[] {
  const system = resolveHardware('8x-h100-hgx', undefined);
  const samples: Sample[] = [];
  parseCsv(csv).forEach((row, index) => {
    if (!keep(index)) return;
    const workers = num(row, 'num_workers');
    const perNode = num(row, 'devices_per_node');
    const network = perNode >= workers ? system.scaleUp.network : system.scaleOut!;
    const link = {
      latencyS: network.latencyS,
      bandwidthBytesPerS: network.bandwidthBytesPerS * efficiency.network,
      inNetworkReduction: network.inNetworkReduction === true,
    };
    const bytes = num(row, 'size_elems');
    const kind = row.collective === 'all_reduce' ? 'all-reduce' : 'p2p';
    const predictedS = collectiveS(kind, bytes, workers, link) + efficiency.collectiveOverheadS;
    samples.push({ group: `${row.collective} n=${workers}${perNode < workers ? ' across nodes' : ''} h100`, predictedS, measuredS: num(row, 'median_ms') / 1e3 });
  });
  return samples;
}
