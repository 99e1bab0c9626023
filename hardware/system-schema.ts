// A system: N identical devices, a scale-up domain (NVLink/IF/ICI island) and a scale-out network.
import { z } from 'zod';
import { DeviceSchema } from './device-schema.ts';

const atLeast = (min: number, what: string) => z.number().finite().min(min, `must be at least ${min}`).max(1e21, 'must be at most 1e21').describe(what);

export const NetworkSchema = z
  .object({
    name: z.string().min(1),
    bandwidthBytesPerS: atLeast(1e3, 'bandwidth per device per direction in bytes/s'),
    latencyS: atLeast(1e-12, 'one-hop latency in seconds'),
    inNetworkReduction: z
      .boolean()
      .optional()
      .describe('the switch reduces all-reduce data itself (NVLink SHARP / NVLS on third-generation NVSwitch)'),
  })
  .strict();

export const SYSTEM_TOPOLOGIES = ['switch', 'ring', 'torus', 'fully-connected'] as const;

export const SystemSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'a lowercase kebab-case id such as "8x-h100-hgx"'),
    name: z.string().min(1),
    device: z.union([z.string().min(1), DeviceSchema]).describe('device id or a full device spec'),
    deviceCount: z.number().int().positive().max(1_000_000).describe('devices in the whole system'),
    scaleUp: z
      .object({
        devicesPerDomain: z.number().int().positive().describe('devices reachable over the scale-up fabric'),
        topology: z.enum(SYSTEM_TOPOLOGIES),
        network: NetworkSchema,
      })
      .strict(),
    scaleOut: NetworkSchema.optional().describe('network between scale-up domains (InfiniBand, Ethernet …)'),
    sources: z.record(z.string(), z.string().min(1)),
  })
  .strict();

export type SystemSpec = z.output<typeof SystemSchema>;
export type Network = z.output<typeof NetworkSchema>;
