// Hardware presets: every number carries a source in the preset's `sources` record.
// Peak rates are dense (structured-sparse datasheet figures halved), SI units throughout.
import type { z } from 'zod';
import type { DeviceSchema } from '../device-schema.ts';
import type { SystemSchema } from '../system-schema.ts';
import { NVIDIA_DATACENTER_DEVICES } from './nvidia-datacenter.ts';
import { NVIDIA_WORKSTATION_DEVICES } from './nvidia-workstation.ts';
import { AMD_DEVICES } from './amd.ts';
import { OTHER_DEVICES } from './other.ts';
import { CPU_DEVICES } from './cpu.ts';
import { SYSTEMS } from './systems.ts';

export type DeviceInput = z.input<typeof DeviceSchema>;
export type SystemInput = z.input<typeof SystemSchema>;

/** All device presets: NVIDIA data center (by generation), NVIDIA workstation/consumer/edge, AMD, Intel and Google, then CPUs. */
export const DEVICE_PRESETS: readonly DeviceInput[] = [
  ...NVIDIA_DATACENTER_DEVICES,
  ...NVIDIA_WORKSTATION_DEVICES,
  ...AMD_DEVICES,
  ...OTHER_DEVICES,
  ...CPU_DEVICES,
];

/** Multi-device systems; `device` names a DEVICE_PRESETS id. */
export const SYSTEM_PRESETS: readonly SystemInput[] = SYSTEMS;
