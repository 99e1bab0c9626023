// Multi-device system presets. Bandwidths are per device per direction. Link latencies are
// order-of-magnitude estimates (no vendor publishes a one-hop latency) and say so in `sources`.
import type { SystemInput } from './index.ts';

const NVLINK_LATENCY =
  'estimate: ~1 us one-hop small-message latency through NVSwitch (order of magnitude; GenZ also defaults to 1 us, see references/genz_llmviewer.md); not measured';
const IB_LATENCY = 'estimate: ~2 us GPU-to-GPU over one InfiniBand switch hop with GPUDirect RDMA; not measured';

export const SYSTEMS: readonly SystemInput[] = [
  {
    id: '8x-a100-hgx',
    name: 'NVIDIA HGX A100 8-GPU (80GB SXM4, DGX A100 networking)',
    device: 'a100-80gb-sxm',
    deviceCount: 8,
    scaleUp: {
      devicesPerDomain: 8,
      topology: 'switch',
      network: { name: 'NVLink 3 via NVSwitch', bandwidthBytesPerS: 300e9, latencyS: 1e-6 },
    },
    scaleOut: { name: 'InfiniBand HDR 200 Gb/s, one NIC per GPU', bandwidthBytesPerS: 25e9, latencyS: 2e-6 },
    sources: {
      'scaleUp.network.bandwidthBytesPerS': 'NVIDIA A100 datasheet: NVLink 600 GB/s total per GPU = 300 GB/s per direction, all-to-all through 6 NVSwitches',
      'scaleUp.network.latencyS': NVLINK_LATENCY,
      'scaleOut.bandwidthBytesPerS': 'NVIDIA DGX A100 datasheet: 8x single-port ConnectX-6 200 Gb/s HDR InfiniBand (one per GPU) = 25 GB/s per direction',
      'scaleOut.latencyS': IB_LATENCY,
      deviceCount: 'HGX A100 8-GPU baseboard',
      scaleUp: 'all 8 GPUs on one NVSwitch fabric',
    },
  },
  {
    id: '8x-h100-hgx',
    name: 'NVIDIA HGX H100 8-GPU (SXM5, DGX H100 networking)',
    device: 'h100-sxm',
    deviceCount: 8,
    scaleUp: {
      devicesPerDomain: 8,
      topology: 'switch',
      network: { name: 'NVLink 4 via NVSwitch', bandwidthBytesPerS: 450e9, latencyS: 1e-6, inNetworkReduction: true },
    },
    scaleOut: { name: 'InfiniBand NDR 400 Gb/s, one NIC per GPU', bandwidthBytesPerS: 50e9, latencyS: 2e-6 },
    sources: {
      'scaleUp.network.bandwidthBytesPerS': 'NVIDIA H100 datasheet: NVLink 900 GB/s total per GPU = 450 GB/s per direction, all-to-all through 4 NVSwitches',
      'scaleUp.network.latencyS': NVLINK_LATENCY,
      'scaleUp.network.inNetworkReduction': 'NVIDIA H100 Tensor Core GPU Architecture whitepaper: third-generation NVSwitch does NVLink SHARP in-network all-reduce',
      'scaleOut.bandwidthBytesPerS': 'NVIDIA DGX H100 datasheet: 8x ConnectX-7 400 Gb/s NDR InfiniBand (one per GPU) = 50 GB/s per direction',
      'scaleOut.latencyS': IB_LATENCY,
      deviceCount: 'HGX H100 8-GPU baseboard',
      scaleUp: 'all 8 GPUs on one NVSwitch fabric',
    },
  },
  {
    id: '8x-h200-hgx',
    name: 'NVIDIA HGX H200 8-GPU (DGX H200 networking)',
    device: 'h200',
    deviceCount: 8,
    scaleUp: {
      devicesPerDomain: 8,
      topology: 'switch',
      network: { name: 'NVLink 4 via NVSwitch', bandwidthBytesPerS: 450e9, latencyS: 1e-6, inNetworkReduction: true },
    },
    scaleOut: { name: 'InfiniBand NDR 400 Gb/s, one NIC per GPU', bandwidthBytesPerS: 50e9, latencyS: 2e-6 },
    sources: {
      'scaleUp.network.bandwidthBytesPerS': 'NVIDIA H200 datasheet: NVLink 900 GB/s total per GPU = 450 GB/s per direction',
      'scaleUp.network.latencyS': NVLINK_LATENCY,
      'scaleUp.network.inNetworkReduction': 'NVIDIA H100 Tensor Core GPU Architecture whitepaper: third-generation NVSwitch does NVLink SHARP in-network all-reduce',
      'scaleOut.bandwidthBytesPerS': 'NVIDIA DGX H200 datasheet: 8x ConnectX-7 400 Gb/s InfiniBand/Ethernet (one per GPU) = 50 GB/s per direction',
      'scaleOut.latencyS': IB_LATENCY,
      deviceCount: 'HGX H200 8-GPU baseboard',
      scaleUp: 'all 8 GPUs on one NVSwitch fabric',
    },
  },
  {
    id: '8x-b200-hgx',
    name: 'NVIDIA HGX B200 8-GPU (DGX B200 networking)',
    device: 'b200',
    deviceCount: 8,
    scaleUp: {
      devicesPerDomain: 8,
      topology: 'switch',
      network: { name: 'NVLink 5 via NVSwitch', bandwidthBytesPerS: 900e9, latencyS: 1e-6, inNetworkReduction: true },
    },
    scaleOut: { name: 'InfiniBand NDR 400 Gb/s, one NIC per GPU', bandwidthBytesPerS: 50e9, latencyS: 2e-6 },
    sources: {
      'scaleUp.network.bandwidthBytesPerS': 'NVIDIA HGX B200 datasheet: NVLink 1.8 TB/s per GPU (14.4 TB/s total) = 900 GB/s per direction',
      'scaleUp.network.latencyS': NVLINK_LATENCY,
      'scaleUp.network.inNetworkReduction': 'NVIDIA Blackwell architecture technical brief: NVLink Switch keeps SHARP in-network reductions (introduced with third-generation NVSwitch on H100)',
      'scaleOut.bandwidthBytesPerS': 'NVIDIA DGX B200 datasheet: 8x single-port ConnectX-7 400 Gb/s (one per GPU) = 50 GB/s per direction',
      'scaleOut.latencyS': IB_LATENCY,
      deviceCount: 'HGX B200 8-GPU baseboard',
      scaleUp: 'all 8 GPUs on one NVSwitch fabric',
    },
  },
  {
    id: '8x-mi300x',
    name: 'AMD Instinct MI300X Platform (8 OAM)',
    device: 'mi300x',
    deviceCount: 8,
    scaleUp: {
      devicesPerDomain: 8,
      topology: 'fully-connected',
      network: { name: 'Infinity Fabric, 7 direct links per GPU', bandwidthBytesPerS: 448e9, latencyS: 1e-6 },
    },
    sources: {
      'scaleUp.network.bandwidthBytesPerS':
        'AMD MI300X data sheet: 7 Infinity Fabric links x 128 GB/s bidirectional = 896 GB/s aggregate per GPU = 448 GB/s per direction; each peer pair has one link (64 GB/s per direction), so traffic to a single peer sees 1/7 of this',
      'scaleUp.network.latencyS': 'estimate: ~1 us one direct Infinity Fabric hop (order of magnitude); not measured',
      deviceCount: 'AMD Instinct MI300X Platform: 8 MI300X OAMs on one universal baseboard',
      scaleUp: 'AMD MI300X Platform: fully connected Infinity Fabric mesh between the 8 GPUs',
      scaleOut: 'omitted: the NICs are chosen by the server vendor, not part of the AMD platform',
    },
  },
  {
    id: '8x-gaudi3',
    name: 'Intel Gaudi 3 8-accelerator baseboard (HLB-325)',
    device: 'gaudi3',
    deviceCount: 8,
    scaleUp: {
      devicesPerDomain: 8,
      topology: 'fully-connected',
      network: { name: '21x 200 GbE RoCE v2 (3 ports to each of 7 peers)', bandwidthBytesPerS: 525e9, latencyS: 3e-6 },
    },
    scaleOut: { name: '3x 200 GbE RoCE v2 per accelerator (integrated ports)', bandwidthBytesPerS: 75e9, latencyS: 5e-6 },
    sources: {
      'scaleUp.network.bandwidthBytesPerS':
        'Intel Gaudi 3 white paper / Hot Chips 2024: of 24 x 200 GbE ports, 21 connect all-to-all inside the baseboard (3 per peer) = 21 x 25 GB/s = 525 GB/s per direction',
      'scaleUp.network.latencyS': 'estimate: ~3 us RDMA over a direct Ethernet link (order of magnitude); not measured',
      'scaleOut.bandwidthBytesPerS':
        'Intel Gaudi 3 white paper: the remaining 3 x 200 GbE ports per accelerator go to scale-out = 75 GB/s per direction',
      'scaleOut.latencyS': 'estimate: ~5 us RoCE through one Ethernet switch hop; not measured',
      deviceCount: 'Intel Gaudi 3 HLB-325 baseboard: 8 OAMs',
      scaleUp: 'all-to-all over integrated RoCE ports',
    },
  },
  {
    id: 'tpu-v5e-256',
    name: 'Google Cloud TPU v5e pod (16x16, 256 chips)',
    device: 'tpu-v5e',
    deviceCount: 256,
    scaleUp: {
      devicesPerDomain: 256,
      topology: 'torus',
      network: { name: 'ICI, 2D torus', bandwidthBytesPerS: 200e9, latencyS: 1e-6 },
    },
    scaleOut: { name: 'data-center network (DCN)', bandwidthBytesPerS: 3.125e9, latencyS: 1e-5 },
    sources: {
      'scaleUp.network.bandwidthBytesPerS': 'Google Cloud TPU v5e documentation: 400 GB/s bidirectional ICI per chip (4 ports) = 200 GB/s per direction; 16x16 2D torus, 256 chips per pod',
      'scaleUp.network.latencyS': 'estimate: ~1 us per ICI hop (the scaling book uses 0.5 us per hop in a worked example); not measured',
      'scaleOut.bandwidthBytesPerS': 'Google Cloud TPU v5e documentation: data center network bandwidth per pod 6.4 Tbps / 256 chips = 25 Gb/s = 3.125 GB/s per chip',
      'scaleOut.latencyS': 'estimate: ~10 us host-to-host data-center network; not measured',
      deviceCount: 'Google Cloud TPU v5e documentation: TPU pod size 256 chips',
      scaleUp: 'Google Cloud TPU v5e documentation: interconnect topology 2D torus',
    },
  },
  {
    id: 'tpu-v5p-256',
    name: 'Google Cloud TPU v5p slice (4x8x8, 256 chips)',
    device: 'tpu-v5p',
    deviceCount: 256,
    scaleUp: {
      devicesPerDomain: 256,
      topology: 'torus',
      network: { name: 'ICI, 3D torus', bandwidthBytesPerS: 600e9, latencyS: 1e-6 },
    },
    scaleOut: { name: 'data-center network (DCN)', bandwidthBytesPerS: 6.25e9, latencyS: 1e-5 },
    sources: {
      'scaleUp.network.bandwidthBytesPerS': 'Google Cloud TPU v5p documentation: 1200 GB/s bidirectional ICI per chip (6 ports, 3D torus) = 600 GB/s per direction',
      'scaleUp.network.latencyS': 'estimate: ~1 us per ICI hop; not measured',
      'scaleOut.bandwidthBytesPerS': 'Google Cloud TPU v5p documentation: DCN bandwidth per chip 50 Gbps = 6.25 GB/s',
      'scaleOut.latencyS': 'estimate: ~10 us host-to-host data-center network; not measured',
      deviceCount: 'Google Cloud TPU v5p documentation: 4x8x8 slice = 256 chips (4 cubes, wraparound via optical switches)',
      scaleUp: 'the whole slice is one ICI domain (3D torus)',
    },
  },
];
