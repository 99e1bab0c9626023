// NeuSight's end-to-end labels (sitar-lab/NeuSight, MIT; scripts/asplos/label/<GPU>/<model>-<mode>-<seq>-<batch>.json,
// one row per label in data/neusight_model_e2e_labels_train_devices.csv): the measured time of one forward pass of a
// Hugging Face model built from a config (random weights), FP32 with TF32 off, eager attention (QK, softmax and PV as
// separate kernels), eval() and no_grad, batch × sequence tokens of input; the mean of the fastest 5 of 25 runs
// (neusight/Tracing/trace.py measure_e2e). A causal LM's forward() computes logits at every token. genz prices the
// same pass as a prefill in fp32 without flash attention and with promptLogits (BERT's classification head instead of
// an LM head is a d × 2 GEMM: genz's last-token LM head over BERT's vocabulary stands in for it, < 0.1% of the work).
// Training rows (forward + backward), torch.compile ("fusion") rows, the parallel runs and the encoder-decoder Switch
// Transformer are left out, counted by reason.
import { GenzError, estimate, type EstimateReport, type TransformerConfigInput } from '../../index.ts';
import { parseProfileText, type CalibrationProfile } from '../profile-schema.ts';
import { parseCsvTable } from '../importers/table.ts';
import { positive } from './csv.ts';
import type { Sample } from './error-stats.ts';

/**
 * NeuSight's model configs (scripts/asplos/data/DLmodel_configs/<name>.json, read in the trsharm25/NeuSight fork at
 * bca31fb, whose traces match them: e.g. gpt3_xl's hidden states are 2 × 2048 × 3072). Their gpt3_xl is not GPT-3
 * XL's 2048 width but 24 heads of 128 (3072), so it costs about what gpt3_27 does, as its labels show.
 */
const GPT2_LIKE = {
  mlp: 'plain', activation: 'gelu-tanh', norm: 'layernorm', positional: 'learned', qkvBias: true, mlpBias: true,
  parallelAttentionMlp: false, tieWordEmbeddings: true, vocabSize: 50257,
} as const;

export const NEUSIGHT_E2E_MODELS: Readonly<Record<string, TransformerConfigInput>> = {
  bert_large: {
    id: 'neusight-bert-large', name: 'BERT-large (NeuSight bert_large)', family: 'bert', mlp: 'plain', activation: 'gelu', norm: 'layernorm',
    positional: 'learned', qkvBias: true, mlpBias: true, parallelAttentionMlp: false, tieWordEmbeddings: true,
    hiddenSize: 1024, numLayers: 24, numHeads: 16, numKvHeads: 16, headDim: 64, intermediateSize: 4096, vocabSize: 30522, maxPositionEmbeddings: 512,
    source: 'NeuSight scripts/asplos/data/DLmodel_configs/bert_large.json',
  },
  gpt2_large: {
    id: 'neusight-gpt2-large', name: 'GPT-2 large (NeuSight gpt2_large)', family: 'gpt2', ...GPT2_LIKE,
    hiddenSize: 1280, numLayers: 36, numHeads: 20, numKvHeads: 20, headDim: 64, intermediateSize: 5120, maxPositionEmbeddings: 1024,
    source: 'NeuSight scripts/asplos/data/DLmodel_configs/gpt2_large.json',
  },
  gpt3_xl: {
    id: 'neusight-gpt3-xl', name: 'GPT-3 XL as NeuSight configures it (3072 wide)', family: 'gpt3', ...GPT2_LIKE,
    hiddenSize: 3072, numLayers: 24, numHeads: 24, numKvHeads: 24, headDim: 128, intermediateSize: 12288, maxPositionEmbeddings: 2048,
    source: 'NeuSight scripts/asplos/data/DLmodel_configs/gpt3_xl.json (n_embd 3072, n_head 24, n_layer 24)',
  },
  gpt3_27: {
    id: 'neusight-gpt3-2.7b', name: 'GPT-3 2.7B (NeuSight gpt3_27)', family: 'gpt3', ...GPT2_LIKE,
    hiddenSize: 2560, numLayers: 32, numHeads: 32, numKvHeads: 32, headDim: 80, intermediateSize: 10240, maxPositionEmbeddings: 2048,
    source: 'NeuSight scripts/asplos/data/DLmodel_configs/gpt3_27.json',
  },
  opt_13: {
    id: 'neusight-opt-1.3b', name: 'OPT-1.3B (NeuSight opt_13)', family: 'opt', mlp: 'plain', activation: 'relu', norm: 'layernorm',
    positional: 'learned', qkvBias: true, mlpBias: true, parallelAttentionMlp: false, tieWordEmbeddings: true,
    hiddenSize: 2048, numLayers: 24, numHeads: 32, numKvHeads: 32, headDim: 64, intermediateSize: 8192, vocabSize: 50272, maxPositionEmbeddings: 2048,
    source: 'NeuSight scripts/asplos/data/DLmodel_configs/opt_13.json (facebook/opt-1.3b)',
  },
};

/**
 * NeuSight's device names (label folders use _ for spaces) → the genz hardware a row runs on: the device of the
 * shipped profile fitted on NeuSight's own kernel rows where there is one (its spec embeds the best achieved GEMM
 * rate as peak), else a genz preset (priced with its shipped profile, if any, as estimate does by default).
 */
const DEVICES: Readonly<Record<string, { profile: string } | { preset: string }>> = {
  'NVIDIA A100-PCIE-40GB': { profile: 'nvidia-a100-pcie-40gb' },
  'Tesla V100-PCIE-32GB': { profile: 'tesla-v100-pcie-32gb' },
  'Tesla T4': { profile: 'tesla-t4' },
  'Tesla P100-PCIE-16GB': { profile: 'tesla-p100-pcie-16gb' },
  'Tesla P4': { profile: 'tesla-p4' },
  'NVIDIA A100-SXM4-40GB': { preset: 'a100-40gb-sxm' },
  'NVIDIA A100 80GB PCIe': { preset: 'a100-80gb-pcie' },
  'NVIDIA H100 80GB HBM3': { preset: 'h100-sxm' },
  'NVIDIA L4': { preset: 'l4' },
  'AMD Instinct MI100': { preset: 'mi100' },
  'AMD Instinct MI210': { preset: 'mi210' },
  // One process runs on one of the package's two GCDs, the device software sees.
  'AMD Instinct MI250': { preset: 'mi250-gcd' },
};

export interface NeusightE2eRow {
  index: number;
  /** NeuSight's device name, spaces restored. */
  device: string;
  model: string;
  seqLen: number;
  batch: number;
  latencyS: number;
}

const COLUMNS = ['device', 'model', 'mode', 'seq_len', 'batch', 'variant', 'e2e_latency_ms'] as const;

/** The inference rows genz can run, and the others with the reason. */
export function readNeusightE2e(csv: string): { rows: NeusightE2eRow[]; skipped: { index: number; line: number; reason: string }[] } {
  const table = parseCsvTable(csv);
  const missing = COLUMNS.filter((c) => !table.header.includes(c));
  if (missing.length > 0) throw new GenzError('invalid_input', `not a NeuSight end-to-end label CSV: no column ${missing.join(', ')}`, ['file']);
  const skipped: { index: number; line: number; reason: string }[] = [];
  const rows = table.records.flatMap((record, index): NeusightE2eRow[] => {
    const skip = (reason: string): [] => { skipped.push({ index, line: record.line, reason }); return []; };
    if (record.width !== table.header.length) return skip(`${record.width} cells where the header has ${table.header.length}`);
    const cell = (c: (typeof COLUMNS)[number]): string => record.cells[c]!.trim();
    const device = cell('device').replaceAll('_', ' ');
    const model = cell('model');
    const mode = cell('mode');
    const variant = cell('variant');
    if (mode === 'train') return skip('training (forward and backward): genz estimates inference');
    if (mode !== 'inf') return skip(`mode "${mode}" (NeuSight writes inf or train)`);
    if (variant === 'fusion') return skip('torch.compile ("fusion") variant: fused kernels genz does not model');
    if (variant !== '') return skip(`parallel variant "${variant}"`);
    if (!Object.hasOwn(NEUSIGHT_E2E_MODELS, model)) return skip(model.startsWith('switch') ? 'Switch Transformer: an encoder-decoder, genz models decoder stacks' : `no genz config for model "${model}"`);
    if (!Object.hasOwn(DEVICES, device)) return skip(`no genz device for "${device}"`);
    const seqLen = positive(cell('seq_len'), true);
    const batch = positive(cell('batch'), true);
    const latencyMs = positive(cell('e2e_latency_ms'), false);
    if (seqLen === undefined || batch === undefined || latencyMs === undefined) {
      return skip('a sequence length or batch that is not a positive whole number, or a latency that is not a positive number');
    }
    return [{ index, device, model, seqLen, batch, latencyS: latencyMs / 1e3 }];
  });
  return { rows, skipped };
}

/** Profiles read once per reader (a caller's reader may read other files than the shipped ones). */
const profiles = new WeakMap<(id: string) => string, Map<string, CalibrationProfile>>();
function shippedProfile(id: string, readProfile: (id: string) => string): CalibrationProfile {
  const mine = profiles.get(readProfile) ?? profiles.set(readProfile, new Map()).get(readProfile)!;
  let profile = mine.get(id);
  if (!profile) mine.set(id, (profile = parseProfileText(readProfile(id), `${id}.json`)));
  return profile;
}

/**
 * One forward pass of `row` as genz prices it: calibrated ('default': the device's shipped profile) or not ('none').
 * `readProfile` returns a shipped profile's JSON text by device id (data/profiles/<id>.json).
 */
export function neusightEstimate(row: NeusightE2eRow, calibration: 'none' | 'default', readProfile: (id: string) => string): EstimateReport {
  const target = DEVICES[row.device]!;
  const profile = 'profile' in target ? shippedProfile(target.profile, readProfile) : undefined;
  return estimate({
    model: NEUSIGHT_E2E_MODELS[row.model]!, hardware: 'preset' in target ? target.preset : profile!.device!,
    batch: row.batch, inputTokens: row.seqLen, outputTokens: 1, dtype: 'fp32', flash: false, promptLogits: row.model !== 'bert_large',
    calibration: calibration === 'none' ? 'none' : profile ?? 'default',
  });
}

/** Samples grouped by device (NeuSight's name → genz's), and the rows genz finds do not fit. */
export function neusightSamples(rows: readonly NeusightE2eRow[], calibration: 'none' | 'default', readProfile: (id: string) => string): { samples: Sample[]; infeasible: number } {
  const samples: Sample[] = [];
  let infeasible = 0;
  for (const row of rows) {
    const report = neusightEstimate(row, calibration, readProfile);
    if (!report.feasible) { infeasible++; continue; }
    const target = DEVICES[row.device]!;
    samples.push({ group: `${row.device} (${'profile' in target ? target.profile : target.preset})`, predictedS: report.e2eS, measuredS: row.latencyS });
  }
  return { samples, infeasible };
}
