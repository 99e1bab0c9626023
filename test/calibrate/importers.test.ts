// The public datasets in data/ brought into the measurement format: row and device counts, hand-checked rows,
// every line valid and round-tripping through the writer and reader, bad cells reported by line and column.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findDevice, type GenzProblem } from '../../index.ts';
import { FAMILY_OF, MeasurementSchema, type Measurement } from '../../calibrate/measurement-schema.ts';
import { formatMeasurements, measurementKey, parseMeasurements } from '../../calibrate/measurements.ts';
import { IMPORTERS, IMPORT_SOURCES, NEUSIGHT_DEVICES, type ImportSource } from '../../calibrate/importers/index.ts';
import { parseCsvTable } from '../../calibrate/importers/table.ts';
import { subsampleNeusight } from '../../calibrate/importers/subsample-neusight.ts';
import { expectGenzError } from '../helpers.ts';

const data = (name: string): string => readFileSync(new URL(`../../data/${name}`, import.meta.url), 'utf8');
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/calibrate/${name}`, import.meta.url), 'utf8');

const FILES: Record<string, ImportSource> = {
  'vidur_mlp_llama2-7b_tp1_a100_a40.csv': 'vidur',
  'vidur_attention_a100_llama2-70b_tp2_subsample.csv': 'vidur',
  'vidur_collectives_h100_dgx.csv': 'vidur',
  'llmcompass_real_hw_matmul.csv': 'llmcompass',
  'llmcompass_real_hw_softmax_layernorm.csv': 'llmcompass',
  'neusight_linear_bmm_fp32_subsample.csv': 'neusight',
  'deepbench_gemm_results.csv': 'deepbench',
  'mlperf_v41_dell_mi300x_fp8_gemm_sample.csv': 'mlperf',
};

const imported = new Map<string, Measurement[]>();
const load = (file: string): Measurement[] => {
  let ms = imported.get(file);
  if (!ms) imported.set(file, (ms = IMPORTERS[FILES[file]!](data(file), file)));
  return ms;
};

/** Counts by a label, e.g. "device kernel". */
function countBy(ms: Measurement[], label: (m: Measurement) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of ms) counts[label(m)] = (counts[label(m)] ?? 0) + 1;
  return counts;
}

/** The measurement whose kernel, variant and shape match. */
function find(ms: Measurement[], device: string, kernel: string, shape: Record<string, number>, variant?: string): Measurement {
  const hits = ms.filter((m) => m.device.name === device && m.kernel === kernel && (variant === undefined || m.variant === variant)
    && Object.entries(shape).every(([k, v]) => m.shape[k] === v));
  expect(hits.length, `${device} ${kernel} ${JSON.stringify(shape)}`).toBeGreaterThan(0);
  return hits[0]!;
}

describe('every importer on the project data', () => {
  it('knows each source by name', () => {
    expect(Object.keys(IMPORTERS).sort()).toEqual([...IMPORT_SOURCES].sort());
  });

  for (const file of Object.keys(FILES)) {
    it(`${file}: every line validates, names a known preset, and round-trips`, () => {
      const ms = load(file);
      expect(ms.length).toBeGreaterThan(0);
      for (const m of ms) {
        expect(MeasurementSchema.safeParse(m).success).toBe(true);
        expect(m.source).toBe(FILES[file]);
        expect(FAMILY_OF[m.kernel]).toBeDefined();
        if (m.device.id !== undefined) expect(findDevice(m.device.id), m.device.id).toBeDefined();
      }
      const text = formatMeasurements(ms);
      const back = parseMeasurements(text, { fileName: file });
      expect(back.problems).toEqual([]);
      expect(back.measurements).toEqual(ms.map((m) => MeasurementSchema.parse(m)));
      expect(formatMeasurements(back.measurements)).toBe(text);
    });
  }
});

describe('vidur', () => {
  it('mlp.csv: ten ops per row on A100 and A40, fp16', () => {
    const ms = load('vidur_mlp_llama2-7b_tp1_a100_a40.csv');
    expect(ms).toHaveLength(522 * 10);
    expect(countBy(ms, (m) => `${m.device.name}→${m.device.id}`)).toEqual({ 'a100→a100-80gb-sxm': 2610, 'a40→a40': 2610 });
    expect(countBy(ms, (m) => m.kernel)).toEqual({ embedding: 522, rmsnorm: 1044, gemm: 2088, rope: 522, 'silu-mul': 522, add: 522 });
    expect(new Set(ms.map((m) => m.dtype))).toEqual(new Set(['fp16']));
    // First row, a100, 4096 tokens: attn_pre_proj 1.9110 ms is the fused QKV GEMM 4096 × 4096 → 12288.
    const qkv = find(ms, 'a100', 'gemm', { m: 4096 }, 'attn_pre_proj');
    expect(qkv.shape).toEqual({ m: 4096, n: 12288, k: 4096, batch: 1 });
    expect(qkv.flops).toBe(2 * 4096 * 12288 * 4096);
    expect(qkv.bytes).toBe(2 * (4096 * 4096 + 4096 * 12288 + 4096 * 12288));
    expect(qkv.medianS).toBe(0.001911);
    // mlp_act 0.2660 ms: SiLU(gate) * up over 4096 × 11008, reading two inputs and writing one.
    const act = find(ms, 'a100', 'silu-mul', { rows: 4096 }, 'mlp_act');
    expect(act.bytes).toBe(3 * 4096 * 11008 * 2);
    expect(act.flops).toBe(5 * 4096 * 11008);
    expect(act.medianS).toBe(0.000266);
  });

  it('attention.csv: FlashAttention prefill and decode per device of TP 2', () => {
    const ms = load('vidur_attention_a100_llama2-70b_tp2_subsample.csv');
    expect(ms).toHaveLength(2721);
    expect(countBy(ms, (m) => `${m.device.id} ${m.kernel} ${m.variant}`)).toEqual({
      'a100-80gb-sxm attention-flash prefill': 2209, 'a100-80gb-sxm attention-flash decode': 512,
    });
    // Decode, batch 1, 256 cached tokens, 0.017 ms: 64/2 query heads, 8/2 KV heads, head dim 128.
    const decode = find(ms, 'a100', 'attention-flash', { batch: 1, kvLen: 256 }, 'decode');
    expect(decode.shape).toEqual({ batch: 1, queryLen: 1, kvLen: 256, heads: 32, kvHeads: 4, headDim: 128 });
    expect(decode.flops).toBe(4 * 256 * 32 * 128);
    expect(decode.bytes).toBe((2 * 32 * 128 + 2 * 256 * 4 * 128) * 2);
    expect(decode.medianS).toBe(0.000017);
    // Prefill chunk 64 after 64 cached, 0.015 ms: causal pairs 64·64 + 64·65/2 = 6176.
    const prefill = find(ms, 'a100', 'attention-flash', { queryLen: 64, kvLen: 128 }, 'prefill');
    expect(prefill.flops).toBe(4 * 6176 * 32 * 128);
    expect(prefill.bytes).toBe((2 * 64 * 32 * 128 + 2 * 128 * 4 * 128) * 2);
    expect(prefill.medianS).toBe(0.000015);
  });

  it('collectives: all-reduce and send/recv on an H100 DGX', () => {
    const ms = load('vidur_collectives_h100_dgx.csv');
    expect(ms).toHaveLength(4970);
    expect(countBy(ms, (m) => `${m.device.name}→${m.device.id} ${m.kernel} ${m.shape.workers}/${m.shape.devicesPerNode}`)).toEqual({
      'h100_dgx→h100-sxm all-reduce 8/8': 994, 'h100_dgx→h100-sxm all-reduce 2/2': 994, 'h100_dgx→h100-sxm all-reduce 4/4': 994,
      'h100_dgx→h100-sxm send-recv 2/1': 994, 'h100_dgx→h100-sxm send-recv 2/2': 994,
    });
    // all_reduce, 8 workers, size 2048, 0.037 ms. Vidur writes size in bytes (collectives_wrapper.py: "size":
    // self._size * 2  # bytes, the buffer being self._size fp16 elements), whatever the extract's column name says.
    const first = ms[0]!;
    expect(first.shape).toEqual({ elements: 1024, workers: 8, devicesPerNode: 8 });
    // A DGX H100: the fit prices its collectives on the 8x-h100-hgx fabric (NVSwitch with in-network reduction).
    expect(new Set(ms.map((m) => m.system))).toEqual(new Set(['8x-h100-hgx']));
    expect(first.bytes).toBe(2048);
    expect(first.flops).toBe((1024 * 7) / 8);
    expect(first.medianS).toBe(0.000037);
  });

  it('dispatches on the header and rejects a file of no known kind', () => {
    expectGenzError(() => IMPORTERS.vidur('a,b,c\n1,2,3\n', 'x.csv'), 'invalid_input', ['line 1']);
  });
});

describe("vidur: Vidur's own files (time_stats columns, tensor parallelism, device from the folder)", () => {
  // Vidur's repository files hold the same numbers under other column names (time_stats.<op>.median ms,
  // num_tensor_parallel_workers, size), with the device as their folder (data/profiling/compute/a100/…). These are
  // the extracts of data/ written back in that layout: they must import to the same measurements.
  const csv = (header: string[], rows: string[][]): string => [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
  const extract = (file: string): { header: string[]; rows: string[][] } => {
    const table = parseCsvTable(data(file));
    return { header: table.header, rows: table.records.map((r) => table.header.map((h) => r.cells[h]!)) };
  };
  const rename = (name: string): string => /^(.+)_median_ms$/.exec(name) ? `time_stats.${/^(.+)_median_ms$/.exec(name)![1]}.median` : name;

  it('mlp.csv: the raw layout, device from its folder, imports as the extract; tp 2 halves the sharded GEMMs', () => {
    const { header, rows } = extract('vidur_mlp_llama2-7b_tp1_a100_a40.csv');
    const keep = header.map((h, i) => (h === 'device' || h === 'model' ? -1 : i)).filter((i) => i >= 0);
    const a100 = rows.filter((r) => r[header.indexOf('device')] === 'a100').slice(0, 5);
    const raw = csv([...keep.map((i) => rename(header[i]!)), 'use_gated_mlp', 'num_tensor_parallel_workers'], a100.map((r) => [...keep.map((i) => r[i]!), 'True', '1']));
    const path = 'vidur/data/profiling/compute/a100/meta-llama/Llama-2-7b-hf/mlp.csv';
    const expected = load('vidur_mlp_llama2-7b_tp1_a100_a40.csv').slice(0, 50);
    expect(IMPORTERS.vidur(raw, path)).toEqual(expected);
    // The same rows at TP 2: every rank holds half the heads and half the FFN (Megatron column/row parallel).
    const tp2 = IMPORTERS.vidur(raw.replace(/,True,1\n/g, ',True,2\n'), path);
    const shape = (variant: string) => tp2.find((m) => m.variant === variant)!.shape;
    expect(shape('attn_pre_proj')).toEqual({ m: 4096, n: 6144, k: 4096, batch: 1 });
    expect(shape('attn_post_proj')).toEqual({ m: 4096, n: 4096, k: 2048, batch: 1 });
    expect(shape('mlp_up_proj')).toEqual({ m: 4096, n: 11008, k: 4096, batch: 1 });
    expect(shape('mlp_down_proj')).toEqual({ m: 4096, n: 4096, k: 5504, batch: 1 });
    expect(shape('mlp_act')).toEqual({ rows: 4096, cols: 5504 });
    expect(shape('input_layernorm')).toEqual({ rows: 4096, cols: 4096 }); // norms are whole on every rank
    // A plain (not gated) MLP: one up projection and GELU.
    const plain = IMPORTERS.vidur(raw.replace(/,True,1\n/g, ',False,1\n'), path);
    expect(plain.find((m) => m.variant === 'mlp_up_proj')!.shape.n).toBe(11008);
    expect(plain.find((m) => m.variant === 'mlp_act')!.kernel).toBe('gelu');
    // A tp that does not divide the heads is reported by line and column.
    expectGenzError(() => IMPORTERS.vidur(raw.replace(/,True,1\n/g, ',True,3\n'), path), 'invalid_input', ['line 2', 'tp']);
    // 24 KV heads do not split over 16 ranks (Vidur asserts tp divides them, or they tp).
    const gqa = raw.replace(/^(\d+,\d+,\d+),32,32,/gm, '$1,32,24,');
    expect(gqa).not.toBe(raw);
    expectGenzError(() => IMPORTERS.vidur(gqa.replace(/,True,1\n/g, ',True,16\n'), path), 'invalid_input', ['line 2', 'tp']);
  });

  it('attention.csv: prefill and decode columns, device from its folder or --device, else an error', () => {
    const { header, rows } = extract('vidur_attention_a100_llama2-70b_tp2_subsample.csv');
    const t = header.indexOf('attn_kernel_median_ms');
    const prefill = header.indexOf('is_prefill');
    const rawHeader = ['time_stats.attn_decode.median', 'time_stats.attn_prefill.median', ...header.filter((_, i) => i !== t).map((h) => (h === 'tp' ? 'num_tensor_parallel_workers' : h))];
    const raw = csv(rawHeader, rows.map((r) => [r[prefill] === 'False' ? r[t]! : '', r[prefill] === 'True' ? r[t]! : '', ...r.filter((_, i) => i !== t)]));
    const expected = load('vidur_attention_a100_llama2-70b_tp2_subsample.csv');
    expect(IMPORTERS.vidur(raw, 'vidur/data/profiling/a100/attention.csv')).toEqual(expected);
    expect(IMPORTERS.vidur(raw, 'attention.csv', { device: 'a100' })).toEqual(expected);
    const h100 = IMPORTERS.vidur(raw, 'attention.csv', { device: 'h100' });
    expect(new Set(h100.map((m) => m.device.id))).toEqual(new Set(['h100-sxm']));
    expectGenzError(() => IMPORTERS.vidur(raw, 'attention.csv'), 'invalid_input', ['device']);
    // The nearest folder names the device; a folder that only contains a device name in a token does not.
    const nearest = IMPORTERS.vidur(raw, '/runs/a100_dgx/compute/h100/attention.csv');
    expect(new Set(nearest.map((m) => m.device.name))).toEqual(new Set(['h100']));
    expectGenzError(() => IMPORTERS.vidur(raw, '/runs/h100_pcie/attention.csv'), 'invalid_input', ['device']);
    // An unknown --device, or one for a file that names its devices, is an error, not a silent default.
    expectGenzError(() => IMPORTERS.vidur(raw, 'attention.csv', { device: 'H100' }), 'invalid_input', ['device']);
    expectGenzError(() => IMPORTERS.vidur(data('vidur_mlp_llama2-7b_tp1_a100_a40.csv'), 'mlp.csv', { device: 'h100' }), 'invalid_input', ['device']);
  });

  it('says what it leaves out by design: rows of other attention backends, op columns it does not map', () => {
    const { header, rows } = extract('vidur_attention_a100_llama2-70b_tp2_subsample.csv');
    const backends = ['FLASH_ATTENTION', 'FLASHINFER', 'NO_OP'];
    const raw = csv([...header, 'attention_backend'], rows.slice(0, 9).map((r, i) => [...r, backends[i % 3]!]));
    const leftOut = new Map<string, number>();
    expect(IMPORTERS.vidur(raw, 'attention.csv', { device: 'a100', leftOut })).toHaveLength(3);
    expect(leftOut).toEqual(new Map([
      ['rows of attention backend FLASHINFER: the attention curves model FlashAttention', 3], ['rows of attention backend NO_OP: the attention curves model FlashAttention', 3],
    ]));
    const mlp = data('vidur_mlp_llama2-7b_tp1_a100_a40.csv').replace(/^([^\n]*)/, '$1,attn_kv_cache_save_median_ms').split('\n')
      .map((line, i) => (i === 0 || line === '' ? line : `${line},0.01`)).join('\n');
    const mlpLeft = new Map<string, number>();
    expect(IMPORTERS.vidur(mlp, 'mlp.csv', { leftOut: mlpLeft })).toEqual(load('vidur_mlp_llama2-7b_tp1_a100_a40.csv'));
    expect([...mlpLeft.keys()]).toEqual(['column attn_kv_cache_save_median_ms: an op genz does not map (its times are not imported)']);
  });

  it('collectives: all_reduce.csv with its size and time_stats columns, the network from its folder', () => {
    const { header, rows } = extract('vidur_collectives_h100_dgx.csv');
    const col = (name: string) => header.indexOf(name);
    const allReduce = rows.filter((r) => r[col('collective')] === 'all_reduce').slice(0, 20);
    const raw = csv(['', 'time_stats.all_reduce.median', 'rank', 'num_workers', 'size', 'collective', 'devices_per_node', 'max_devices_per_node'],
      allReduce.map((r, i) => [String(i), r[col('median_ms')]!, '0', r[col('num_workers')]!, r[col('size_elems')]!, 'all_reduce', r[col('devices_per_node')]!, '8']));
    const expected = load('vidur_collectives_h100_dgx.csv').slice(0, 20);
    expect(IMPORTERS.vidur(raw, 'vidur/data/profiling/network/h100_dgx/all_reduce.csv')).toEqual(expected);
  });
});

describe('llmcompass', () => {
  it('matmul: fp16 GEMM on A100 (80 GB SXM) and MI210; times match the file\'s TFLOP/s column', () => {
    const ms = load('llmcompass_real_hw_matmul.csv');
    expect(ms).toHaveLength(42);
    expect(countBy(ms, (m) => `${m.device.name}→${m.device.id} ${m.device.backend}`)).toEqual({ 'A100→a100-80gb-sxm cuda': 20, 'MI210→mi210 hip': 22 });
    const first = find(ms, 'A100', 'gemm', { m: 64, n: 12288, k: 12288 }); // 0.1900 ms, 101.7124 TFLOP/s
    expect(first.flops).toBe(2 * 64 * 12288 * 12288);
    expect(first.bytes).toBe(2 * (64 * 12288 + 12288 * 12288 + 64 * 12288));
    expect(first.medianS).toBe(0.00019);
    // (the file rounds times to 0.1 µs after computing TFLOP/s, hence 0.5%)
    const table = parseCsvTable(data('llmcompass_real_hw_matmul.csv')).records;
    ms.forEach((m, i) => expect(m.achievedFlopsPerS! / 1e12 / Number(table[i]!.cells.tflops)).toBeCloseTo(1, 2));
  });

  it('softmax and layernorm: the throughput column is G elements/s', () => {
    const ms = load('llmcompass_real_hw_softmax_layernorm.csv');
    expect(ms).toHaveLength(88);
    expect(countBy(ms, (m) => `${m.device.id} ${m.kernel}`)).toEqual({
      'a100-80gb-sxm softmax': 22, 'mi210 softmax': 22, 'a100-80gb-sxm layernorm': 22, 'mi210 layernorm': 22,
    });
    // A100 layernorm 32768 × 4096 at 385.84643825998086 G elements/s.
    const ln = find(ms, 'A100', 'layernorm', { rows: 32768, cols: 4096 });
    expect(ln.medianS).toBeCloseTo((32768 * 4096) / 385.84643825998086e9, 12);
    expect(ln.bytes).toBe((2 * 32768 * 4096 + 2 * 4096) * 2);
    expect(ln.flops).toBe(7 * 32768 * 4096);
    // which is 1.54 TB/s of fp16 traffic: plausible on a 2.04 TB/s A100 80 GB, impossible if the column were GB/s.
    expect(ln.achievedBytesPerS! / 1e12).toBeCloseTo(1.543, 2);
    const sm = find(ms, 'MI210', 'softmax', { rows: 4096, cols: 32 });
    expect(sm.bytes).toBe(2 * 4096 * 32 * 2);
    expect(sm.medianS).toBeCloseTo((4096 * 32) / 5.389762881254902e9, 12);
  });
});

describe('neusight', () => {
  it('the subsample: 6,000 rows per device and op, FP32, each its own device (no preset)', () => {
    const ms = load('neusight_linear_bmm_fp32_subsample.csv');
    expect(ms).toHaveLength(60000);
    expect(countBy(ms, (m) => `${m.device.name}→${m.device.id ?? '-'} ${m.kernel}`)).toEqual({
      'NVIDIA A100-PCIE-40GB→- gemm': 6000, 'NVIDIA A100-PCIE-40GB→- batched-gemm': 6000,
      'Tesla V100-PCIE-32GB→- gemm': 6000, 'Tesla V100-PCIE-32GB→- batched-gemm': 6000,
      'Tesla T4→- gemm': 6000, 'Tesla T4→- batched-gemm': 6000,
      'Tesla P100-PCIE-16GB→- gemm': 6000, 'Tesla P100-PCIE-16GB→- batched-gemm': 6000,
      'Tesla P4→- gemm': 6000, 'Tesla P4→- batched-gemm': 6000,
    });
    expect(new Set(ms.map((m) => m.dtype))).toEqual(new Set(['fp32']));
    // linear 1 × 177 × 23 · 23 × 136 on the A100, 0.0552 ms.
    const linear = find(ms, 'NVIDIA A100-PCIE-40GB', 'gemm', { batch: 1, m: 177, n: 136, k: 23 });
    expect(linear.flops).toBe(2 * 177 * 136 * 23);
    expect(linear.bytes).toBe(4 * (177 * 23 + 23 * 136 + 177 * 136));
    expect(linear.medianS).toBe(0.0000552);
  });

  it('bmm reads B once per batch, linear once in all', () => {
    const text = 'device,op,B,M,N,K,latency_ms\nTesla T4,bmm,8,64,32,16,0.05\nTesla T4,linear,8,64,32,16,0.04\n';
    const [bmm, linear] = IMPORTERS.neusight(text);
    expect(bmm!.kernel).toBe('batched-gemm');
    expect(bmm!.bytes).toBe(4 * 8 * (64 * 16 + 16 * 32 + 64 * 32));
    expect(linear!.kernel).toBe('gemm');
    expect(linear!.bytes).toBe(4 * (8 * 64 * 16 + 16 * 32 + 8 * 64 * 32));
    expect(bmm!.flops).toBe(2 * 8 * 64 * 32 * 16);
  });

  it('device features match data/neusight_device_configs.json, for every device it lists', () => {
    const configs = JSON.parse(data('neusight_device_configs.json')) as Record<string, { Num_Sm: number; Freq: number; Dev_Mem: number }>;
    expect(Object.keys(NEUSIGHT_DEVICES).sort()).toEqual(Object.keys(configs).sort());
    for (const [name, d] of Object.entries(NEUSIGHT_DEVICES)) {
      expect(configs[name], name).toBeDefined();
      expect({ sm: d.computeUnits, clockHz: d.clockHz, memoryBytes: d.memoryBytes }).toEqual({ sm: configs[name]!.Num_Sm, clockHz: configs[name]!.Freq * 1e6, memoryBytes: configs[name]!.Dev_Mem * 1e9 });
    }
  });

  it('the subsampler is deterministic and stratified', () => {
    const rows = ['device,op,B,M,N,K,latency_ms'];
    for (const device of ['Tesla T4', 'Tesla P4']) for (let i = 1; i <= 50; i++) rows.push(`${device},${i % 2 ? 'linear' : 'bmm'},1,${i},${i},${i},0.1`);
    const text = `${rows.join('\n')}\n`;
    const picked = subsampleNeusight(text, 5);
    expect(picked).toEqual(subsampleNeusight(text, 5));
    expect(picked).toHaveLength(1 + 4 * 5);
    expect(countBy(IMPORTERS.neusight(`${picked.join('\n')}\n`), (m) => `${m.device.name} ${m.kernel}`)).toEqual({
      'Tesla T4 gemm': 5, 'Tesla T4 batched-gemm': 5, 'Tesla P4 gemm': 5, 'Tesla P4 batched-gemm': 5,
    });
  });
});

describe('deepbench', () => {
  it('GEMM on V100, P100, T4 and MI25 with transposes as the variant', () => {
    const ms = load('deepbench_gemm_results.csv');
    expect(ms).toHaveLength(1195);
    expect(countBy(ms, (m) => `${m.device.name}→${m.device.id ?? '-'} ${m.device.backend}`)).toEqual({
      'NVIDIA V100→v100 cuda': 320, 'NVIDIA P100→- cuda': 320, 'NVIDIA T4→t4 cuda': 395, 'AMD MI25→- hip': 160,
    });
    expect(countBy(ms, (m) => m.dtype)).toEqual({ fp32: 640, fp16: 480, int8: 75 });
    expect(countBy(ms, (m) => m.variant!.slice(0, 2))).toEqual({ NN: 7 * 77 + 75, NT: 7 * 10, TN: 7 * 73 }); // 7 sheets of 160, T4 int8 all NN
    expect(ms.every((m) => m.layout === m.variant!.slice(0, 2))).toBe(true);
    // V100 FP32 NN M 1760 × N 16 × K 1760, 0.038 ms: DeepBench's N (the batch) is genz's m, its M (weight rows) genz's n.
    const v100 = find(ms, 'NVIDIA V100', 'gemm', { m: 16, n: 1760, k: 1760 }, 'NN');
    expect(v100.dtype).toBe('fp32');
    expect(v100.flops).toBe(2 * 1760 * 16 * 1760);
    expect(v100.bytes).toBe(4 * (1760 * 1760 + 1760 * 16 + 1760 * 16));
    expect(v100.medianS).toBe(0.000038);
    // T4 int8 M 5124 × N 700 × K 2048, 0.999 ms, int32 output.
    const t4 = ms.find((m) => m.device.name === 'NVIDIA T4' && m.dtype === 'int8' && m.shape.m === 700 && m.shape.n === 5124 && m.shape.k === 2048)!;
    expect(t4.variant).toBe('NN int32-out');
    expect(t4.bytes).toBe(5124 * 2048 + 2048 * 700 + 4 * 5124 * 700);
    expect(t4.medianS).toBe(0.000999);
    expect(ms.filter((m) => m.device.name === 'NVIDIA P100' && m.dtype === 'fp16').every((m) => m.variant!.endsWith('fp32-math'))).toBe(true);
    // Times agree with the file's TFLOP/s column (it is 2·M·N·K / time).
    const table = parseCsvTable(data('deepbench_gemm_results.csv')).records;
    ms.forEach((m, i) => expect(m.achievedFlopsPerS! / 1e12 / Number(table[i]!.cells.tflops)).toBeCloseTo(1, 3));
  });

  it('reports bad cells by line and column and keeps reading (quoted cells with commas parse)', () => {
    const e = expectGenzError(() => IMPORTERS.deepbench(fixture('deepbench-bad.csv'), 'deepbench-bad.csv'), 'invalid_input', ['line 3', 'time_ms']);
    expect(e.problems.map((p) => p.path)).toEqual([['line 3', 'time_ms'], ['line 4', 'A_transpose'], ['line 4', 'time_ms']]);
    expect(e.problems[0]!.message).toBe('expected a positive number, found -0.02 (in deepbench-bad.csv)');
    expect(e.problems[2]!.message).toMatch(/found "NaN"/);
  });

  it("with a `skipped` list, leaves the bad rows out (their problems listed there) and imports the rest", () => {
    const skipped: GenzProblem[] = [];
    const ms = IMPORTERS.deepbench(fixture('deepbench-bad.csv'), 'deepbench-bad.csv', { skipped });
    expect(skipped.map((p) => p.path)).toEqual([['line 3', 'time_ms'], ['line 4', 'A_transpose'], ['line 4', 'time_ms']]);
    expect(ms.length).toBe(parseCsvTable(fixture('deepbench-bad.csv')).records.length - 2);
    // Every importer takes it: a NeuSight row with an empty time.
    const neusight: GenzProblem[] = [];
    const rows = IMPORTERS.neusight('device,op,B,M,N,K,latency_ms\nTesla T4,linear,1,64,64,64,0.01\nTesla T4,linear,1,64,64,64,\n', 'n.csv', { skipped: neusight });
    expect(rows.length).toBe(1);
    expect(neusight.map((p) => p.path)).toEqual([['line 3', 'latency_ms']]);
  });

  it('names missing columns', () => {
    const e = expectGenzError(() => IMPORTERS.deepbench('device,M,N,K\nX,1,2,3\n'), 'invalid_input', ['line 1']);
    expect(e.message).toMatch(/missing precision, A_transpose, B_transpose, time_ms/);
  });

  it("types a row worded otherwise (other devices' sheets) by its words or its sheet's name, and reports one it cannot", () => {
    const head = 'device,suite,sheet,precision,application,M,N,K,A_transpose,B_transpose,time_ms,tflops\n';
    const row = (sheet: string, precision: string) => IMPORTERS.deepbench(`${head}NVIDIA TitanXp,inference,${sheet},"${precision}",DS,1760,16,1760,N,N,0.038,2.6\n`, 'x.csv')[0]!;
    expect(row('Results', 'Int8 inputs, 32 bit accumulation').dtype).toBe('int8');
    expect(row('Results', 'FP16 inputs, FP32 math').dtype).toBe('fp16');
    expect(row('Results FP32', 'single precision').dtype).toBe('fp32');
    expect(row('Results FP16', 'Mixed').dtype).toBe('fp16');
    expect(row('Sheet1', 'Float16').dtype).toBe('fp16');
    expect(row('Sheet1', 'float32').dtype).toBe('fp32');
    expect(row('Results', 'Float').device).toEqual({ name: 'NVIDIA TitanXp', backend: 'cuda' }); // a device genz has no preset of
    expectGenzError(() => row('Results', 'Mixed'), 'invalid_input', ['line 2', 'precision']);
  });
});

describe('mlperf', () => {
  it('FP8 hipBLASLt GEMM on MI300X, FP16 output', () => {
    const ms = load('mlperf_v41_dell_mi300x_fp8_gemm_sample.csv');
    expect(ms).toHaveLength(27);
    expect(countBy(ms, (m) => `${m.device.name}→${m.device.id} ${m.dtype} ${m.variant}`)).toEqual({ 'AMD Instinct MI300X→mi300x fp8 hipblaslt fp16-out': 27 });
    const first = ms[0]!; // M 57344 (weight rows), N 1952 (tokens), K 8192 in 1.744382095336914 ms
    expect(first.shape).toEqual({ m: 1952, n: 57344, k: 8192, batch: 1 });
    expect(first.layout).toBe('TN');
    expect(first.flops).toBe(2 * 57344 * 1952 * 8192);
    expect(first.bytes).toBe(57344 * 8192 + 8192 * 1952 + 2 * 57344 * 1952);
    expect(first.medianS).toBeCloseTo(1.744382095336914e-3, 15);
    expect(first.achievedFlopsPerS! / 1e15).toBeCloseTo(1.051, 3); // 1.05 PFLOP/s dense FP8 of a 2.6 PFLOP/s peak
  });
});

describe('identity across sources', () => {
  it('measurement keys repeat only where the source measured the same thing twice', () => {
    const dupes = (file: string): number => {
      const ms = load(file);
      return ms.length - new Set(ms.map(measurementKey)).size;
    };
    // Vidur's files hold a few repeated rows (same op and size, timed in two runs); LLMCompass's M and N sweeps
    // both pass through 4096 × 4096 (once per device and op); the others hold none.
    expect(dupes('vidur_mlp_llama2-7b_tp1_a100_a40.csv')).toBe(4 * 10);
    expect(dupes('vidur_attention_a100_llama2-70b_tp2_subsample.csv')).toBe(105);
    expect(dupes('vidur_collectives_h100_dgx.csv')).toBe(5);
    expect(dupes('llmcompass_real_hw_softmax_layernorm.csv')).toBe(4);
    for (const file of ['llmcompass_real_hw_matmul.csv', 'neusight_linear_bmm_fp32_subsample.csv',
      'deepbench_gemm_results.csv', 'mlperf_v41_dell_mi300x_fp8_gemm_sample.csv']) expect(dupes(file), file).toBe(0);
  });
});
