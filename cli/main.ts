// The `genz` command line. Tables for people by default, `--json` for scripts. A user mistake prints one
// line per problem and exits 2; anything else is a bug and exits 1 with its stack.
import { Command, CommanderError, Option } from 'commander';
import {
  GenzError, curveErrorLabel, formatProblem, estimate, estimateOp, listDevices, listSystems, listModels, findDevice, findSystem, findModel,
  hardwareIds, modelIds, hardwareJsonSchema, modelJsonSchema, COMPUTE_DTYPES, IDEAL_EFFICIENCY, DEFAULT_MODEL, DEFAULT_HARDWARE,
  paramBreakdown, closestNames, SERVING_FRAMEWORKS, LOW_BIT_KERNELS, BLAS_LAYOUTS, estimateVision, vitIds, vimIds, vlmIds, findVit, findVim, findVlmConfig, listVits, listVims, listVlmConfigs, vitParams, vimParams,
  type EstimateRequest, type SingleOpRequest, type VisionRequest,
} from '../index.ts';
import { formatBytes, formatCount, formatSeconds, table, toJson } from './format.ts';
import { estimateText, opsText, sweepText, visionText } from './estimate-view.ts';
import { idOrFile, readJsonFile, parseFractionList, parsePositive, parseTokenList, parseTokens, parseWhole, parseWholeList, readTextFile } from './inputs.ts';
import { showText } from './show-view.ts';
import { registerCalibrate } from './calibrate-command.ts';
import { addEngineFlags, engineChoice, type EngineChoice, type EngineFlags } from './engine-flags.ts';

const out = (text: string): void => { process.stdout.write(`${text}\n`); };
/** Notes for people (a trace written) go to stderr, so stdout stays the result. */
const note = (text: string | undefined): void => { if (text !== undefined) process.stderr.write(`${text}\n`); };

interface EstimateFlags {
  model?: string; hardware?: string; devices?: number; tp?: number; pp?: number; ep?: number; batch?: number;
  input?: number[]; output?: number; maxContext?: boolean;
  images?: number; calibration?: string; draft?: string; acceptance?: number[]; gamma?: number; treeSize?: number; treeBranching?: number[]; wbits?: number; abits?: number; kvbits?: number; dtype?: string; flash?: boolean;
  promptLogits?: boolean; identicalPrompts?: boolean; ideal?: boolean; json?: boolean; framework?: string; threads?: number; lowbitKernel?: string;
}

type EstimateCommandFlags = EstimateFlags & EngineFlags;

function addEstimateFlags(cmd: Command): Command {
  return addEngineFlags(cmd)
    .option('--model <id|file>', `model preset id or a config JSON file (genz or Hugging Face config.json) (default: ${DEFAULT_MODEL})`)
    .option('--hardware <id|file>', `device or system id, or a spec JSON file (default: ${DEFAULT_HARDWARE}, or the device of a --calibration profile)`)
    .option('--devices <n>', 'devices used (default: tp × pp, or all devices of a system)', parseWhole('devices'))
    .option('--tp <n>', 'tensor-parallel degree (default: 1)', parseWhole('tp'))
    .option('--pp <n>', 'pipeline-parallel degree (default: 1)', parseWhole('pp'))
    .option('--ep <n>', 'expert-parallel degree: divides --tp (experts within the TP group) or is a multiple of it (across data-parallel replicas) (default: 1)', parseWhole('ep'))
    .option('--batch <n>', 'concurrent sequences (k = 1000, as for every count; token lengths take k = 1024) (default: 1)', parseWhole('batch'))
    .option('--input <tokens>', 'prompt tokens per sequence, or a list (1k,8k,32k: one row each; k = 1024) (default: 1024)', parseTokenList('input'))
    .option('--output <tokens>', 'generated tokens per sequence (k = 1024) (default: 256)', parseTokens('output'))
    .option('--wbits <bits>', 'bits per weight, fractional allowed, e.g. 1.58 (default: the model\'s own, else the activation bits)', parsePositive('wbits'))
    .option('--abits <bits>', 'activation bits (default: dtype bits)', parseWhole('abits'))
    .option('--kvbits <bits>', 'KV-cache bits (default: activation bits)', parseWhole('kvbits'))
    .addOption(new Option('--dtype <dtype>', 'compute dtype (default: bf16)').choices(COMPUTE_DTYPES))
    .option('--flash', 'fused flash-style attention (default)')
    .option('--no-flash', 'unfused attention: scores go through DRAM')
    .option('--prompt-logits', 'prefill computes logits at every prompt token, as a Hugging Face forward() does (serving engines: the last token only)')
    .option('--identical-prompts', 'every sequence of the batch is the same prompt (benchmarks that repeat one): an MoE routes them alike and reads fewer experts')
    .option('--ideal', 'efficiency 1 and no overheads: the pure roofline GenZ and LLM-Viewer compute')
    .option('--max-context', 'also report the longest prompt that fits in memory at this batch and output length')
    .option('--images <n>', 'vision-language models: images per sequence (default 1)', parseWhole('images'))
    .option('--calibration <file|none|default>', "a calibration profile (genz calibrate fit) of the hardware or a part of the same silicon, or 'none'; default: the device's shipped profile")
    .addOption(new Option('--framework <name>', 'serving framework whose costs are added: host time per step and per sequence, its own all-reduce kernels, its decode attention\'s KV re-reads (fitted on A100 runs) (default: none)').choices(SERVING_FRAMEWORKS))
    .option('--threads <n>', 'CPU devices: threads the run uses (default: all cores)', parseWhole('threads'))
    .addOption(new Option('--lowbit-kernel <kind>', 'CPU devices: kernel for sub-8-bit weights, dequant (llama.cpp) or lut (T-MAC) (default: dequant)').choices(LOW_BIT_KERNELS))
    .option('--draft <id|file>', 'speculative decoding: draft model (runs on the same devices)')
    .option('--acceptance <p>', 'speculative: α, or a positional acceptance list for trees (0.6,0.15,0.05)', parseFractionList('acceptance'))
    .option('--gamma <n>', 'speculative: draft tokens per step of a chain (default 4)', parseWhole('gamma'))
    .option('--tree-size <n>', 'speculative: verify the best (Sequoia) tree of n tokens', parseWhole('tree-size'))
    .option('--tree-branching <list>', 'speculative: children per node at each depth, e.g. 4,2,1', parseWholeList('tree-branching'))
    .option('--json', 'print JSON');
}

function estimateRequest(f: EstimateFlags, inputTokens = f.input?.[0], engine?: EngineChoice): EstimateRequest {
  const request: Record<string, unknown> = {};
  if (engine?.engine !== undefined) request.engine = engine.engine;
  const set = (key: string, value: unknown): void => { if (value !== undefined) request[key] = value; };
  set('model', idOrFile(f.model, 'model'));
  set('hardware', idOrFile(f.hardware, 'hardware'));
  set('devices', f.devices); set('tp', f.tp); set('pp', f.pp); set('ep', f.ep); set('batch', f.batch);
  set('inputTokens', inputTokens); set('outputTokens', f.output);
  if (f.maxContext) request.maxContext = true;
  set('images', f.images);
  if (f.calibration !== undefined) request.calibration = calibrationFlag(f.calibration);
  else if (f.ideal) request.calibration = 'none';
  const treeFlags = (['gamma', 'treeSize', 'treeBranching'] as const).filter((k) => f[k] !== undefined);
  if (f.draft === undefined && treeFlags.length > 0) {
    throw new GenzError('invalid_input', `${treeFlags.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} shape speculative decoding, which needs --draft and --acceptance`, ['draft']);
  }
  if (f.draft !== undefined || f.acceptance !== undefined) {
    if (f.draft === undefined || f.acceptance === undefined) {
      throw new GenzError('invalid_input', 'speculative decoding needs both --draft and --acceptance', [f.draft === undefined ? 'draft' : 'acceptance']);
    }
    const speculative: Record<string, unknown> = { draft: idOrFile(f.draft, 'draft'), acceptance: f.acceptance.length === 1 ? f.acceptance[0] : f.acceptance };
    if (f.gamma !== undefined) speculative.gamma = f.gamma;
    if (f.treeSize !== undefined) speculative.treeSize = f.treeSize;
    if (f.treeBranching !== undefined) speculative.treeBranching = f.treeBranching;
    request.speculative = speculative;
  }
  set('wbits', f.wbits); set('abits', f.abits); set('kvbits', f.kvbits); set('dtype', f.dtype); set('flash', f.flash);
  set('promptLogits', f.promptLogits); set('identicalPrompts', f.identicalPrompts); set('framework', f.framework); set('threads', f.threads); set('lowBitKernel', f.lowbitKernel);
  if (f.ideal) request.efficiency = { ...IDEAL_EFFICIENCY };
  return request as EstimateRequest;
}

/** `--calibration`: 'none', 'default', or a profile file. */
function calibrationFlag(value: string): 'none' | 'default' | Record<string, unknown> {
  if (value === 'none' || value === 'default') return value;
  const json = readJsonFile(value, 'calibration');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new GenzError('invalid_input', `${value} must hold one JSON object`, ['calibration']);
  return json as Record<string, unknown>;
}

/**
 * A vision encoder is one forward pass over a batch of images: no prompt, decode, KV cache, pipeline or serving
 * framework, no CPU low-bit kernels, and no calibration profile (the efficiency factors price it). Its flags are refused.
 */
function refuseLlmOnlyFlags(flags: EstimateCommandFlags): void {
  for (const [flag, value] of [['threads', flags.threads], ['lowbit-kernel', flags.lowbitKernel]] as const) {
    if (value !== undefined) throw new GenzError('invalid_input', `--${flag} applies to LLM estimates on CPU devices, not to vision encoders`, [flag]);
  }
  const llmOnly = Object.entries({
    pp: flags.pp, ep: flags.ep, input: flags.input, output: flags.output, kvbits: flags.kvbits, 'max-context': flags.maxContext,
    images: flags.images, framework: flags.framework, draft: flags.draft, acceptance: flags.acceptance, gamma: flags.gamma,
    'tree-size': flags.treeSize, 'tree-branching': flags.treeBranching, 'prompt-logits': flags.promptLogits, 'identical-prompts': flags.identicalPrompts,
    calibration: flags.calibration === 'none' ? undefined : flags.calibration,
  }).filter(([, value]) => value !== undefined).map(([flag]) => `--${flag}`);
  if (llmOnly.length > 0) throw new GenzError('invalid_input', `${llmOnly.join(', ')}: not for a vision encoder (one forward pass over --batch images, priced by the efficiency factors)`, ['model']);
}

/** The vision encoder request of estimate's and ops' flags (after refuseLlmOnlyFlags). */
function visionRequest(flags: EstimateCommandFlags, model: unknown, engine: EngineChoice): VisionRequest {
  const request: Record<string, unknown> = { model, ...(engine.engine ? { engine: engine.engine } : {}), ...(flags.ideal ? { efficiency: { ...IDEAL_EFFICIENCY } } : {}) };
  for (const [key, value] of Object.entries({ hardware: idOrFile(flags.hardware, 'hardware'), devices: flags.devices, tp: flags.tp, batch: flags.batch, dtype: flags.dtype, wbits: flags.wbits, abits: flags.abits, flash: flags.flash })) {
    if (value !== undefined) request[key] = value;
  }
  return request as VisionRequest;
}

/** A ViT/DeiT/Vim preset id or a spec object of kind 'vit' or 'vim': estimated as one encoder pass, not a serving run. */
function isVisionEncoder(model: unknown): boolean {
  if (typeof model === 'string') return [...vitIds(), ...vimIds()].includes(model.toLowerCase());
  const kind = typeof model === 'object' && model !== null ? (model as { kind?: unknown }).kind : undefined;
  return kind === 'vit' || kind === 'vim';
}

// A reader that stops early (`genz … | head`) closes the pipe: that ends the command, not with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command('genz')
  .description('Analytical performance, memory and energy estimates for LLM inference on any hardware')
  .showHelpAfterError()
  .exitOverride();

addEstimateFlags(program.command('estimate').description('TTFT, TPOT, throughput, memory and energy of a serving scenario'))
  .action((flags: EstimateCommandFlags) => {
    const engine = engineChoice(flags);
    const model = idOrFile(flags.model, 'model');
    if (isVisionEncoder(model)) {
      refuseLlmOnlyFlags(flags);
      const report = estimateVision(visionRequest(flags, model, engine), engine.backend);
      out(flags.json ? toJson(report) : visionText(report));
      note(engine.finish());
      return;
    }
    if (flags.input !== undefined && flags.input.length > 1) {
      const reports = flags.input.map((tokens) => estimate(estimateRequest(flags, tokens, engine), engine.backend));
      out(flags.json ? toJson(reports) : sweepText(reports));
      note(engine.finish());
      return;
    }
    const report = estimate(estimateRequest(flags, undefined, engine), engine.backend);
    out(flags.json ? toJson(report) : estimateText(report));
    note(engine.finish());
  });

addEstimateFlags(program.command('ops').description('the per-operator table of prefill and/or one decode step'))
  .addOption(new Option('--phase <phase>', 'which phase (default: both)').choices(['prefill', 'decode']))
  .action((flags: EstimateCommandFlags & { phase?: 'prefill' | 'decode' }) => {
    if (flags.input !== undefined && flags.input.length > 1) {
      throw new GenzError('invalid_input', 'ops takes one --input length; use estimate for a list', ['input']);
    }
    const engine = engineChoice(flags);
    const encoder = idOrFile(flags.model, 'model');
    if (isVisionEncoder(encoder)) {
      // A vision encoder has one phase, its forward pass over the batch of images.
      if (flags.phase !== undefined) throw new GenzError('invalid_input', '--phase: a vision encoder has one forward pass, no prefill or decode', ['phase']);
      refuseLlmOnlyFlags(flags);
      const vision = estimateVision(visionRequest(flags, encoder, engine), engine.backend);
      note(engine.finish());
      out(flags.json ? toJson({ forward: vision.ops }) : opsText(vision.ops, `forward pass of batch ${vision.parallel.replicaBatch} images: ${vision.inputs.model.id} on ${vision.inputs.hardware.id}`));
      return;
    }
    const report = estimate(estimateRequest(flags, undefined, engine), engine.backend);
    note(engine.finish());
    const phases = flags.phase ? [flags.phase] : (['prefill', 'decode'] as const);
    if (flags.json) {
      const result: Record<string, unknown> = {};
      if (report.vision !== undefined && phases.includes('prefill')) result.vision = report.vision;
      for (const phase of phases) result[phase] = report[phase];
      out(toJson(result));
      return;
    }
    const { model, hardware, scenario } = report.inputs;
    // A vision-language model's images run through its tower first and join each prompt as image tokens.
    const imageTokens = report.vision?.imageTokens ?? 0;
    const texts = phases.flatMap((phase) => phase === 'prefill'
      ? [...(report.vision === undefined ? [] : [opsText(report.vision.ops, `vision tower of ${scenario.images} image${scenario.images === 1 ? '' : 's'} per sequence × batch ${scenario.batch}: ${model.id} on ${hardware.id}`)]),
        opsText(report.prefill.ops, `prefill of ${scenario.inputTokens} tokens${imageTokens > 0 ? ` + ${imageTokens} image tokens` : ''} × batch ${scenario.batch}: ${model.id} on ${hardware.id}`)]
      : [opsText(report.decode.ops, `one decode step at context ${report.decode.contextTokens} × batch ${scenario.batch}: ${model.id} on ${hardware.id}`)]);
    out(texts.join('\n\n'));
  });

interface OpFlags {
  m?: number; n?: number; k?: number; batch?: number; dtype?: string; hardware?: string; q?: number; kv?: number;
  heads?: number; kvHeads?: number; headDim?: number; causal?: boolean; flash?: boolean; elements?: number; bytes?: number;
  devices?: number; fromFile?: string; json?: boolean; calibration?: string; engine?: EngineFlags['engine']; trace?: string;
  layout?: string; threads?: number;
}

function opRequest(kind: string, f: OpFlags, engine?: EngineChoice): SingleOpRequest {
  const r: Record<string, unknown> = { kind };
  if (engine?.engine !== undefined) r.engine = engine.engine;
  const set = (key: string, value: unknown): void => { if (value !== undefined) r[key] = value; };
  set('hardware', idOrFile(f.hardware, 'hardware')); set('dtype', f.dtype); set('batch', f.batch); set('threads', f.threads);
  if (f.calibration !== undefined) r.calibration = calibrationFlag(f.calibration);
  if (kind === 'gemm') { set('m', f.m); set('n', f.n); set('k', f.k); set('layout', f.layout); }
  else if (kind === 'attention') {
    set('queryLen', f.q); set('kvLen', f.kv); set('heads', f.heads); set('kvHeads', f.kvHeads); set('headDim', f.headDim);
    set('causal', f.causal); set('flash', f.flash);
  } else if (kind === 'elementwise') set('elements', f.elements);
  else { set('bytes', f.bytes); set('devices', f.devices); delete r.batch; }
  return r as SingleOpRequest;
}

const OP_KINDS = ['gemm', 'attention', 'elementwise', 'all-reduce', 'all-gather', 'reduce-scatter', 'all-to-all', 'p2p'];

function opText(r: ReturnType<typeof estimateOp>): string {
  return [table([
    ['kind', 'hardware', 'dtype', 'FLOPs', 'bytes', 'bound', 'latency', 'achieved', 'energy'],
    [r.kind, r.hardware, r.computeDtype ?? '-', formatCount(r.flops + r.vectorFlops), formatBytes(r.bytes), r.bound,
      formatSeconds(r.latencyS), `${formatCount(r.flopsPerS)}FLOP/s`, `${r.energyJ.toPrecision(3)} J`],
  ]), ...pricingLines(r), ...(r.notes ?? []).map((n) => `note: ${n}`)].join('\n');
}

/** What priced the op on the roofline engine: a calibration curve (and its held-out error) or the efficiency factors. */
function pricingLines(r: ReturnType<typeof estimateOp>): string[] {
  if (r.pricedBy === undefined) return [];
  if (r.pricedBy === 'factors') return ['priced by the efficiency factors (no calibration curve applies: none for this op on this device, or calibration off)'];
  if (r.pricedBy === 'outside-curve') {
    return ["priced by the efficiency factors: the op lies outside the range its family's calibration curve was fitted on (on a GPU the curve's per-kernel overhead still sets its minimum)"];
  }
  const e = r.heldOutError;
  return [e === undefined ? 'priced by a calibration curve (its profile recorded no held-out error for it)'
    : `priced by the ${e.deviceId} calibration curve for ${curveErrorLabel(e)}: held-out kernel-time error ${e.medianAbsPctError.toFixed(1)} / ${e.p90AbsPctError.toFixed(1)} % (median / p90, ${e.heldOutRows} rows)`];
}

/**
 * The flags a --from-file run applies to every line that does not set them itself (--hardware, --dtype,
 * --calibration, --threads); a line's "calibration" may also name a profile file. Shape flags belong on the lines.
 */
const FILE_DEFAULT_FLAGS = ['hardware', 'dtype', 'calibration', 'threads'] as const;
const OP_SHAPE_FLAGS = ['m', 'n', 'k', 'batch', 'layout', 'q', 'kv', 'heads', 'kvHeads', 'headDim', 'elements', 'bytes', 'devices'] as const;

function runOpFile(path: string, flags: OpFlags, engine: EngineChoice): void {
  const shapeFlags = OP_SHAPE_FLAGS.filter((flag) => flags[flag] !== undefined);
  if (shapeFlags.length > 0 || flags.causal === false || flags.flash === false) {
    const named = [...shapeFlags, ...(flags.causal === false ? ['causal'] : []), ...(flags.flash === false ? ['flash'] : [])];
    throw new GenzError('invalid_input', `${named.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}: with --from-file give operator shapes on each JSON line (only ${FILE_DEFAULT_FLAGS.map((f) => `--${f}`).join(', ')} apply to every line)`, ['from-file']);
  }
  const lines = readTextFile(path, 'from-file').split('\n');
  const requests: { line: number; request: SingleOpRequest }[] = [];
  const problems: string[] = [];
  // One read per profile file, however many lines name it.
  const profiles = new Map<string, ReturnType<typeof calibrationFlag>>();
  const profileOf = (value: string): ReturnType<typeof calibrationFlag> => {
    if (!profiles.has(value)) profiles.set(value, calibrationFlag(value));
    return profiles.get(value)!;
  };
  const defaults: Record<string, unknown> = {};
  if (flags.hardware !== undefined) defaults.hardware = idOrFile(flags.hardware, 'hardware');
  if (flags.dtype !== undefined) defaults.dtype = flags.dtype;
  if (flags.calibration !== undefined) {
    defaults.calibration = profileOf(flags.calibration);
    // A profile without --hardware names the device of every line, also of one that turns calibration off.
    const profile = defaults.calibration;
    if (flags.hardware === undefined && typeof profile === 'object') {
      const device = (profile as { device?: unknown; deviceId?: unknown }).device ?? (profile as { deviceId?: unknown }).deviceId;
      if (device !== undefined) defaults.hardware = device;
    }
  }
  if (flags.threads !== undefined) defaults.threads = flags.threads;
  if (engine.engine !== undefined) defaults.engine = engine.engine;
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      problems.push(`line ${i + 1}: not valid JSON (${(error as Error).message})`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      requests.push({ line: i + 1, request: value as SingleOpRequest });
      return;
    }
    const request: Record<string, unknown> = { ...defaults, ...(value as Record<string, unknown>) };
    const calibration = request.calibration;
    if (typeof calibration === 'string' && calibration !== 'none' && calibration !== 'default') {
      try {
        request.calibration = profileOf(calibration);
      } catch (error) {
        if (!(error instanceof GenzError)) throw error;
        for (const p of error.problems) problems.push(`line ${i + 1}: ${formatProblem(p)}`);
        return;
      }
    }
    requests.push({ line: i + 1, request: request as SingleOpRequest });
  });
  const results = requests.map(({ line, request }) => {
    try {
      return estimateOp(request, engine.backend);
    } catch (error) {
      if (!(error instanceof GenzError)) throw error;
      for (const p of error.problems) problems.push(`line ${line}: ${formatProblem(p)}`);
      return null;
    }
  });
  if (problems.length > 0) throw new GenzError('invalid_input', problems.map((message) => ({ path: ['from-file'], message })));
  for (const r of results) out(flags.json ? JSON.stringify(r) : opText(r!));
}

addEngineFlags(program.command('op'))
  .description('cost of one operator, e.g. `genz op gemm --m 4096 --n 4096 --k 4096 --dtype fp16 --hardware h100-sxm`')
  .argument('[kind]', `operator: ${OP_KINDS.join(', ')}`)
  .option('--m <n>', 'gemm: rows of A and C', parseWhole('m'))
  .option('--n <n>', 'gemm: columns of B and C', parseWhole('n'))
  .option('--k <n>', 'gemm: inner dimension', parseWhole('k'))
  .option('--batch <n>', 'gemm: batched GEMM count (batch × (m×k)·(k×n)); attention: sequences', parseWhole('batch'))
  .addOption(new Option('--layout <layout>', "gemm: transposes of the BLAS call (weight, activations); default TN as torch.nn.Linear").choices(BLAS_LAYOUTS))
  .addOption(new Option('--dtype <dtype>', 'compute dtype; fp32 is non-tensor FP32, tf32 its own (default: fp16)').choices(COMPUTE_DTYPES))
  .option('--hardware <id|file>', `device id or spec file (default: ${DEFAULT_HARDWARE}, or the device of a --calibration profile)`)
  .option('--q <n>', 'attention: query tokens per sequence', parseWhole('q'))
  .option('--kv <n>', 'attention: KV tokens per sequence', parseWhole('kv'))
  .option('--heads <n>', 'attention: query heads', parseWhole('heads'))
  .option('--kv-heads <n>', 'attention: KV heads (default: heads)', parseWhole('kv-heads'))
  .option('--head-dim <n>', 'attention: head width (default: 128)', parseWhole('head-dim'))
  .option('--no-causal', 'attention: no causal mask')
  .option('--no-flash', 'attention: unfused')
  .option('--elements <n>', 'elementwise: elements', parseWhole('elements'))
  .option('--bytes <n>', 'collectives: bytes per device', parsePositive('bytes'))
  .option('--devices <n>', 'collectives: group size (default: 8)', parseWhole('devices'))
  .option('--calibration <file|none|default>', "a calibration profile of the hardware or a part of the same silicon, or 'none'; default: the device's shipped profile")
  .option('--threads <n>', 'CPU devices: threads the op runs on (default: all cores)', parseWhole('threads'))
  .option('--from-file <file>', 'JSON Lines, one operator per line ({"kind":"gemm","m":…}); one result per line; --hardware, --dtype, --calibration and --threads apply to lines that do not set them, and a line\'s "calibration" may name a profile file')
  .option('--json', 'print JSON')
  .action((kind: string | undefined, flags: OpFlags) => {
    const engine = engineChoice(flags);
    if (flags.fromFile !== undefined) {
      if (kind !== undefined) throw new GenzError('invalid_input', `an operator kind ("${kind}") and --from-file: give "kind" on each JSON line`, ['kind']);
      runOpFile(flags.fromFile, flags, engine);
      note(engine.finish());
      return;
    }
    if (kind === undefined) throw new GenzError('invalid_input', `name an operator (${OP_KINDS.join(', ')}) or pass --from-file`, ['kind']);
    if (!OP_KINDS.includes(kind)) {
      throw new GenzError('unknown_id', `unknown operator "${kind}"; closest: ${closestNames(kind, OP_KINDS).join(', ')}`, ['kind']);
    }
    // A shape flag of another kind of operator would be ignored: refuse it.
    const shapeFlagsOf: Record<string, readonly (keyof OpFlags)[]> = {
      gemm: ['m', 'n', 'k', 'batch', 'layout'], attention: ['q', 'kv', 'heads', 'kvHeads', 'headDim', 'batch'], elementwise: ['elements'],
    };
    const allowed = shapeFlagsOf[kind] ?? ['bytes', 'devices'];
    const foreign = [...OP_SHAPE_FLAGS.filter((f) => flags[f] !== undefined && !allowed.includes(f)),
      ...(kind !== 'attention' && flags.causal === false ? ['causal'] : []), ...(kind !== 'attention' && flags.flash === false ? ['flash'] : [])];
    if (foreign.length > 0) {
      const flagNames = foreign.map((f) => `--${f === 'causal' || f === 'flash' ? 'no-' : ''}${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
      throw new GenzError('invalid_input', `${flagNames.join(', ')}: not a shape of ${kind}`, [flagNames[0]!.slice(2)]);
    }
    const r = estimateOp(opRequest(kind, flags, engine), engine.backend);
    out(flags.json ? toJson(r) : opText(r));
    note(engine.finish());
  });

program.command('list')
  .description('list hardware (devices and systems) or models')
  .argument('<what>', 'hardware | models')
  .option('--json', 'print a JSON array of {id, name}')
  .action((what: string, flags: { json?: boolean }) => {
    if (what === 'hardware') {
      const devices = listDevices();
      const systems = listSystems();
      if (flags.json) {
        out(toJson([...devices.map((d) => ({ id: d.id, name: d.name, type: 'device' })), ...systems.map((s) => ({ id: s.id, name: s.name, type: 'system' }))]));
        return;
      }
      const rows = [['id', 'name', 'bf16/fp16 dense', 'memory', 'bandwidth', 'TDP']];
      for (const d of devices) {
        const peak = d.peakFlopsPerS.bf16 ?? d.peakFlopsPerS.fp16 ?? d.peakFlopsPerS.fp32;
        rows.push([d.id, d.name, `${formatCount(peak)}FLOP/s`, formatBytes(d.memory[0]!.capacityBytes), `${formatBytes(d.memory[0]!.bandwidthBytesPerS)}/s`, `${d.power.tdpW} W`]);
      }
      const systemRows = [['id', 'name', 'devices', 'device'], ...systems.map((s) => [s.id, s.name, String(s.deviceCount), typeof s.device === 'string' ? s.device : s.device.id])];
      out(`devices\n\n${table(rows)}\n\nsystems\n\n${table(systemRows)}`);
    } else if (what === 'models') {
      const models = listModels();
      const vits = listVits();
      const vlms = listVlmConfigs();
      if (flags.json) {
        out(toJson([...models, ...vits, ...listVims(), ...vlms].map((m) => ({ id: m.id, name: m.name }))));
        return;
      }
      const rows = [['id', 'name', 'params', 'layers', 'd', 'heads/kv', 'context']];
      for (const m of models) {
        rows.push([m.id, m.name, formatCount(paramBreakdown(m).total), String(m.numLayers), String(m.hiddenSize), m.numHeads === undefined ? '-' : `${m.numHeads}/${m.numKvHeads}`, String(m.maxPositionEmbeddings)]);
      }
      const vims = listVims();
      const visionRows = [['id', 'name', 'params', 'layers', 'd', 'image'],
        ...vits.map((v) => [v.id, v.name, formatCount(vitParams(v).total), String(v.numLayers), String(v.hiddenSize), `${v.imageSize}² / ${v.patchSize}`]),
        ...vims.map((v) => [v.id, v.name, formatCount(vimParams(v).total), String(v.numLayers), String(v.hiddenSize), `${v.imageSize}² / ${v.patchSize}`])];
      const vlmRows = [['id', 'name'], ...vlms.map((v) => [v.id, v.name])];
      out(`language models\n\n${table(rows)}\n\nvision encoders\n\n${table(visionRows)}\n\nvision-language models\n\n${table(vlmRows)}`);
    } else {
      throw new GenzError('invalid_input', `expected "hardware" or "models", found "${what}"`, ['what']);
    }
  });

program.command('show')
  .description('the full spec of a device, system or model, with sources')
  .argument('<id>', 'device, system or model id')
  .option('--json', 'print JSON')
  .action((id: string, flags: { json?: boolean }) => {
    const spec = findDevice(id) ?? findSystem(id) ?? findModel(id) ?? findVit(id) ?? findVim(id) ?? findVlmConfig(id);
    if (!spec) {
      throw new GenzError('unknown_id', `unknown id "${id}"; closest: ${closestNames(id, [...hardwareIds(), ...modelIds(), ...vitIds(), ...vimIds(), ...vlmIds()]).join(', ')}`, ['id']);
    }
    out(flags.json ? toJson(spec) : showText(spec));
  });

registerCalibrate(program);

const hardware = program.command('hardware').description('hardware spec format');
hardware.command('schema').description('print the JSON Schema of a device or system spec file').action(() => out(toJson(hardwareJsonSchema())));
const model = program.command('model').description('model spec format');
model.command('schema').description('print the JSON Schema of a genz model config file').action(() => out(toJson(modelJsonSchema())));

/** Request fields whose flag has another name: errors name the flag the user typed. */
const FLAG_OF_FIELD: Record<string, string> = { inputTokens: 'input', outputTokens: 'output', queryLen: 'q', kvLen: 'kv', kvHeads: 'kv-heads', headDim: 'head-dim', speculative: 'draft', lowBitKernel: 'lowbit-kernel', promptLogits: 'prompt-logits', identicalPrompts: 'identical-prompts', maxContext: 'max-context' };

function flagPath(path: (string | number)[]): (string | number)[] {
  const [first, ...rest] = path;
  return typeof first === 'string' && FLAG_OF_FIELD[first] ? [FLAG_OF_FIELD[first], ...rest] : path;
}

function isFileError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && ['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS'].includes(code);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof GenzError) {
    for (const problem of error.problems) process.stderr.write(`genz: ${formatProblem({ ...problem, path: flagPath(problem.path) })}\n`);
    process.exitCode = 2;
  } else if (isFileError(error)) {
    // A path the user gave that cannot be read or written: their mistake, not a bug.
    const what = error.code === 'ENOENT' ? 'no such file or directory' : error.code === 'EISDIR' ? 'is a directory, not a file' : error.message;
    process.stderr.write(`genz: ${error.path ? `${error.path}: ${what}` : error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof CommanderError) {
    // Commander already printed its message; help and version are not errors.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`genz: internal error (a bug; please report it)\n${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
