// Looks up devices and systems by id or validates a spec object, and resolves either into a system.
import { z } from 'zod';
import { GenzError } from '../common/errors.ts';
import { closestNames } from '../common/closest.ts';
import { parseWith } from '../common/zod-errors.ts';
import { DeviceSchema, type Device } from './device-schema.ts';
import { SystemSchema, type Network, type SystemSpec } from './system-schema.ts';
import { DEVICE_PRESETS, SYSTEM_PRESETS } from './presets/index.ts';

export interface ResolvedSystem {
  id: string;
  name: string;
  device: Device;
  deviceCount: number;
  scaleUp: { devicesPerDomain: number; topology: SystemSpec['scaleUp']['topology']; network: Network };
  scaleOut: Network | null;
  /** Assumptions genz had to make to build this system (reported as warnings). */
  notes: string[];
}

/** Devices one scale-up domain holds when a bare device id is scaled with --devices (an HGX/OAM board). */
export const IMPLICIT_DOMAIN_DEVICES = 8;

/** Scale-out network assumed between implicit domains: one 400 Gb/s NIC per device (InfiniBand NDR class). */
export const ASSUMED_SCALE_OUT: Network = { name: 'assumed 400 Gb/s per device (InfiniBand NDR class)', bandwidthBytesPerS: 50e9, latencyS: 5e-6 };

/** Latency assumed for a link whose spec gives none (one switch hop plus software; order of NVLink/PCIe P2P). */
export const DEFAULT_LINK_LATENCY_S = 2e-6;

let deviceCache: Map<string, Device> | null = null;
let systemCache: Map<string, SystemSpec> | null = null;

function devices(): Map<string, Device> {
  deviceCache ??= new Map(DEVICE_PRESETS.map((d) => [d.id, DeviceSchema.parse(d)]));
  return deviceCache;
}

function systems(): Map<string, SystemSpec> {
  systemCache ??= new Map(SYSTEM_PRESETS.map((s) => [s.id, SystemSchema.parse(s)]));
  return systemCache;
}

export function listDevices(): Device[] {
  return [...devices().values()];
}

export function listSystems(): SystemSpec[] {
  return [...systems().values()];
}

export function hardwareIds(): string[] {
  return [...devices().keys(), ...systems().keys()];
}

export function findDevice(id: string): Device | undefined {
  return devices().get(id.toLowerCase());
}

export function findSystem(id: string): SystemSpec | undefined {
  return systems().get(id.toLowerCase());
}

export function unknownHardware(id: string, path: (string | number)[]): GenzError {
  return new GenzError('unknown_id', `unknown hardware "${id}"; closest: ${closestNames(id, hardwareIds()).join(', ')} (see \`genz list hardware\`)`, path);
}

function deviceSystem(device: Device, deviceCount: number): ResolvedSystem {
  const link = device.scaleUp ?? device.hostLink;
  const devicesPerDomain = Math.min(deviceCount, IMPLICIT_DOMAIN_DEVICES);
  const notes = deviceCount > devicesPerDomain
    ? [`${deviceCount} × ${device.id} is not a preset system: assuming scale-up domains of ${devicesPerDomain} joined by ${ASSUMED_SCALE_OUT.name}; give a system spec to say otherwise`]
    : [];
  return {
    id: deviceCount === 1 ? device.id : `${deviceCount}x-${device.id}`,
    name: deviceCount === 1 ? device.name : `${deviceCount}× ${device.name}`,
    device,
    deviceCount,
    scaleUp: {
      devicesPerDomain,
      topology: 'switch',
      network: {
        name: link.name, bandwidthBytesPerS: link.bandwidthBytesPerS, latencyS: link.latencyS ?? DEFAULT_LINK_LATENCY_S,
        // A reducing switch sits on the scale-up fabric, never on the host link.
        ...(link === device.scaleUp && link.inNetworkReduction === true ? { inNetworkReduction: true } : {}),
      },
    },
    scaleOut: deviceCount > devicesPerDomain ? ASSUMED_SCALE_OUT : null,
    notes,
  };
}

function systemFromSpec(spec: SystemSpec, path: (string | number)[]): ResolvedSystem {
  let device: Device;
  if (typeof spec.device === 'string') {
    const found = findDevice(spec.device);
    if (!found) throw unknownHardware(spec.device, [...path, 'device']);
    device = found;
  } else {
    device = spec.device;
  }
  return {
    id: spec.id, name: spec.name, device, deviceCount: spec.deviceCount,
    scaleUp: spec.scaleUp, scaleOut: spec.scaleOut ?? null, notes: [],
  };
}

const looksLikeSystem = z.object({ deviceCount: z.unknown() }).loose();

/**
 * Resolves `hardware` (a device or system id, or a spec object) into a system. `deviceCount`, when given,
 * sizes a device into a system of that many, or takes that many devices of a system.
 */
export function resolveHardware(hardware: unknown, deviceCount: number | undefined, path: (string | number)[] = ['hardware']): ResolvedSystem {
  let system: ResolvedSystem;
  if (typeof hardware === 'string') {
    const device = findDevice(hardware);
    const spec = device ? undefined : findSystem(hardware);
    if (device) system = deviceSystem(device, deviceCount ?? 1);
    else if (spec) system = systemFromSpec(spec, path);
    else throw unknownHardware(hardware, path);
  } else if (typeof hardware === 'object' && hardware !== null) {
    if (looksLikeSystem.safeParse(hardware).success) {
      system = systemFromSpec(parseWith(SystemSchema, hardware, path), path);
    } else {
      system = deviceSystem(parseWith(DeviceSchema, hardware, path), deviceCount ?? 1);
    }
  } else {
    throw new GenzError('invalid_input', `expected a hardware id or a device/system spec object, found ${hardware === null ? 'null' : typeof hardware}`, path);
  }
  if (deviceCount !== undefined && deviceCount !== system.deviceCount) {
    if (deviceCount > system.deviceCount) {
      throw new GenzError('invalid_input', `system "${system.id}" has ${system.deviceCount} devices; cannot use ${deviceCount}`, ['devices']);
    }
    system = { ...system, deviceCount, scaleUp: { ...system.scaleUp, devicesPerDomain: Math.min(system.scaleUp.devicesPerDomain, deviceCount) } };
  }
  return system;
}
