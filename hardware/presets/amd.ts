// AMD Instinct presets. AMD quotes dense peaks by default ("with structured sparsity" is listed
// separately and not used). fp64 uses the FP64 matrix rate; fp32 the FP32 vector rate.
import type { DeviceInput } from './index.ts';

const IDLE_DC = 'typical rocm-smi idle for this class; not measured';

export const AMD_DEVICES: readonly DeviceInput[] = [
  {
    id: 'mi210',
    name: 'AMD Instinct MI210',
    kind: 'gpu',
    vendor: 'AMD',
    processNm: 6,
    clock: 'peak engine clock 1700 MHz (datasheet peaks)',
    computeUnits: 104,
    peakFlopsPerS: { fp64: 45.3e12, fp32: 22.6e12, bf16: 181e12, fp16: 181e12, int8: 181e12 },
    memory: [{ name: 'HBM2e', technology: 'hbm2e', capacityBytes: 64e9, bandwidthBytesPerS: 1.6384e12 }],
    onChip: { l2Bytes: 8e6 },
    power: { tdpW: 300, idleW: 40 },
    hostLink: { name: 'PCIe 4.0 x16', bandwidthBytesPerS: 32e9 },
    scaleUp: { name: 'Infinity Fabric (3 links, bridge)', bandwidthBytesPerS: 150e9 },
    sources: {
      peakFlopsPerS:
        'AMD Instinct MI210 data sheet: FP64 matrix 45.3, FP32 vector 22.6, FP16/BF16 181.0 TFLOPS, INT8 181.0 TOPS; INT4 is listed at the INT8 rate (no separate 4-bit path), omitted; CDNA 2 has no TF32 or FP8',
      memory: 'AMD MI210 data sheet: 64 GB HBM2e, 1.6384 TB/s',
      onChip: 'AMD CDNA 2 architecture white paper: 8 MB L2 per GCD (MI210 has one GCD)',
      'power.tdpW': 'AMD MI210 data sheet: 300 W TBP',
      'power.idleW': `estimate: ~13% of TBP, ${IDLE_DC}`,
      hostLink: 'AMD MI210 data sheet: PCIe 4.0 x16',
      scaleUp:
        'AMD MI210 data sheet: up to 3 Infinity Fabric links at 100 GB/s peak each (bidirectional) = 3 x 50 GB/s per direction',
      processNm: 'AMD CDNA 2 white paper: TSMC 6 nm',
      computeUnits: 'AMD MI210 data sheet: 104 compute units',
      clock: 'AMD MI210 data sheet: peak engine clock 1700 MHz',
    },
  },
  {
    id: 'mi250-gcd',
    name: 'AMD Instinct MI250, one GCD (software sees the package as two devices)',
    kind: 'gpu',
    vendor: 'AMD',
    processNm: 6,
    clock: 'peak engine clock 1700 MHz (datasheet peaks)',
    computeUnits: 104,
    peakFlopsPerS: { fp64: 45.25e12, fp32: 22.65e12, bf16: 181.05e12, fp16: 181.05e12, int8: 181.05e12 },
    memory: [{ name: 'HBM2e', technology: 'hbm2e', capacityBytes: 64e9, bandwidthBytesPerS: 1.6384e12 }],
    onChip: { l2Bytes: 8e6 },
    power: { tdpW: 250, idleW: 40 },
    hostLink: { name: 'PCIe 4.0 x16 (shared by the package)', bandwidthBytesPerS: 32e9 },
    scaleUp: { name: 'Infinity Fabric (in-package and package-to-package rings)', bandwidthBytesPerS: 100e9 },
    sources: {
      peakFlopsPerS:
        'AMD Instinct MI250 data sheet, halved for one of the two GCDs: FP64 matrix 90.5, FP32 vector 45.3, FP16/BF16 362.1 TFLOPS, INT8 362.1 TOPS per package; no TF32 or FP8 on CDNA 2',
      memory: 'AMD MI250 data sheet: 128 GB HBM2e, 3.2768 TB/s per package; ROCm MI250 microarchitecture guide: 1.6 TB/s per GCD',
      onChip: 'AMD CDNA 2 white paper: 8 MB L2 per GCD',
      'power.tdpW': 'AMD MI250 data sheet: 500 W peak TBP per package, halved per GCD',
      'power.idleW': `estimate: ~16% of TBP, ${IDLE_DC}`,
      hostLink: 'AMD MI250 data sheet: PCIe 4.0 x16 per package',
      scaleUp:
        'estimate: a ring over GCDs alternates in-package hops (4 Infinity Fabric links, 200 GB/s per direction) and package-to-package hops (the package has 6 external links at 50 GB/s per direction, ROCm MI250 guide: 25 GT/s × 16 lanes), of which a ring gets one or two; 100 GB/s per direction per GCD, not measured',
      processNm: 'AMD CDNA 2 white paper: TSMC 6 nm',
      computeUnits: 'ROCm MI250 microarchitecture guide: 104 active CUs per GCD (208 per package)',
      clock: 'AMD MI250 data sheet: peak engine clock 1700 MHz',
    },
  },
  {
    id: 'mi250x',
    name: 'AMD Instinct MI250X (OAM, both GCDs)',
    kind: 'gpu',
    vendor: 'AMD',
    processNm: 6,
    clock: 'peak engine clock 1700 MHz (datasheet peaks)',
    computeUnits: 220,
    peakFlopsPerS: { fp64: 95.7e12, fp32: 47.9e12, bf16: 383e12, fp16: 383e12, int8: 383e12 },
    memory: [{ name: 'HBM2e', technology: 'hbm2e', capacityBytes: 128e9, bandwidthBytesPerS: 3.2768e12 }],
    onChip: { l2Bytes: 16e6 },
    power: { tdpW: 560, idleW: 90 },
    hostLink: { name: 'PCIe 4.0 x16', bandwidthBytesPerS: 32e9 },
    scaleUp: { name: 'Infinity Fabric (8 links)', bandwidthBytesPerS: 400e9 },
    sources: {
      peakFlopsPerS:
        'AMD Instinct MI250X data sheet: FP64 matrix 95.7, FP32 vector 47.9, FP16/BF16 383 TFLOPS, INT8 383 TOPS; INT4 listed at the INT8 rate, omitted; no TF32 or FP8 on CDNA 2; note the package holds two GCDs that software sees as two devices, modeled here as one',
      memory: 'AMD MI250X data sheet: 128 GB HBM2e, 3.2768 TB/s',
      onChip: 'AMD CDNA 2 white paper: 8 MB L2 per GCD, 2 GCDs',
      'power.tdpW': 'AMD MI250X data sheet: 560 W peak TBP',
      'power.idleW': `estimate: ~16% of TBP, ${IDLE_DC}`,
      hostLink: 'AMD MI250X data sheet: PCIe 4.0 x16',
      scaleUp:
        'AMD MI250X data sheet: up to 8 Infinity Fabric links, 800 GB/s peak aggregate (bidirectional) = 400 GB/s per direction',
      processNm: 'AMD CDNA 2 white paper: TSMC 6 nm',
      computeUnits: 'AMD MI250X data sheet: 220 compute units',
      clock: 'AMD MI250X data sheet: peak engine clock 1700 MHz',
    },
  },
  {
    id: 'mi300x',
    name: 'AMD Instinct MI300X',
    kind: 'gpu',
    vendor: 'AMD',
    processNm: 5,
    clock: 'peak engine clock 2100 MHz (datasheet peaks)',
    computeUnits: 304,
    peakFlopsPerS: {
      fp64: 163.4e12,
      fp32: 163.4e12,
      tf32: 653.7e12,
      bf16: 1307.4e12,
      fp16: 1307.4e12,
      fp8: 2614.9e12,
      int8: 2614.9e12,
    },
    memory: [{ name: 'HBM3', technology: 'hbm3', capacityBytes: 192e9, bandwidthBytesPerS: 5.3e12 }],
    onChip: { l2Bytes: 256e6, bandwidthBytesPerS: 17e12 },
    power: { tdpW: 750, idleW: 130 },
    hostLink: { name: 'PCIe 5.0 x16', bandwidthBytesPerS: 64e9 },
    scaleUp: { name: 'Infinity Fabric (7 links)', bandwidthBytesPerS: 448e9 },
    sources: {
      peakFlopsPerS:
        'AMD Instinct MI300X data sheet (dense column): FP64 matrix 163.4, FP32 vector 163.4, TF32 653.7, FP16/BF16 1307.4, FP8 2614.9 TFLOPS, INT8 2614.9 TOPS (sparse figures 2x, not used); no INT4 on CDNA 3',
      memory: 'AMD MI300X data sheet: 192 GB HBM3, 5.3 TB/s',
      onChip:
        'l2Bytes = the 256 MB AMD Infinity Cache (last-level cache, 17 TB/s peak; AMD CDNA 3 white paper, ServeTheHome launch coverage) rather than the 4 MB L2 per XCD x 8 = 32 MB',
      'power.tdpW': 'AMD MI300X data sheet: 750 W peak TBP',
      'power.idleW': `estimate: ~17% of TBP, ${IDLE_DC}`,
      hostLink: 'AMD MI300X data sheet: PCIe 5.0 x16, 128 GB/s bidirectional = 64 GB/s per direction',
      scaleUp:
        'AMD MI300X data sheet: 7 Infinity Fabric links at 128 GB/s peak each (bidirectional), 896 GB/s aggregate = 7 x 64 = 448 GB/s per direction',
      processNm: 'AMD CDNA 3 white paper: XCDs on TSMC 5 nm (IODs on 6 nm), recorded as 5',
      computeUnits: 'AMD MI300X data sheet: 304 compute units',
      clock: 'AMD MI300X data sheet: peak engine clock 2100 MHz',
    },
  },
];
