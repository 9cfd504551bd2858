import type { DeviceInfo } from '../../shared/api';
import type { DeviceRole } from '../../shared/osc-protocol';

/**
 * Who is out there: every device that said hello, when it was last heard, and whether it is
 * connected or lost. Pure bookkeeping with the time passed in, so the 2.5 s rule is tested
 * without waiting. A device that restarts gets a new id; the registry recognises it by its slot
 * (set, track, role) and reports it as the lost device coming back, which is what triggers a resync.
 */

/** Silence after which a device counts as lost (a heartbeat is due every second). */
export const DEVICE_LOST_AFTER_MS = 2500;

export interface Hello {
  id: string;
  role: DeviceRole;
  track: string;
  set: string;
  version: string;
  host: string;
  port: number;
  sampleRate: number;
}

export type HelloOutcome =
  /** First time this device (or its slot) is seen. */
  | { kind: 'new'; device: DeviceInfo }
  /** A lost device is back (same id, or a new id in the same slot: a restarted Live or reloaded set). */
  | { kind: 'returned'; device: DeviceInfo; replaced: string | null }
  /** A connected device said hello again: it lost track of us (its own silence timeout). */
  | { kind: 'again'; device: DeviceInfo };

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceInfo>();

  list(): DeviceInfo[] {
    return [...this.devices.values()].map((d) => ({ ...d }));
  }

  get(id: string): DeviceInfo | undefined {
    return this.devices.get(id);
  }

  get size(): number {
    return this.devices.size;
  }

  hello(hello: Hello, now: number): HelloOutcome {
    const known = this.devices.get(hello.id);
    const twin = known ? undefined : [...this.devices.values()].find((d) => d.state === 'lost' && sameSlot(d, hello));
    if (twin) this.devices.delete(twin.id);
    const previous = known ?? twin;
    const device: DeviceInfo = {
      id: hello.id,
      role: hello.role,
      track: hello.track,
      set: hello.set,
      address: `${hello.host}:${hello.port}`,
      version: hello.version,
      sampleRate: hello.sampleRate,
      state: 'connected',
      lastHeard: now,
      routing: previous?.routing ?? '',
      alarm: previous?.alarm ?? null,
    };
    this.devices.set(hello.id, device);
    if (!previous) return { kind: 'new', device: { ...device } };
    if (previous.state === 'lost' || twin) return { kind: 'returned', device: { ...device }, replaced: twin?.id ?? null };
    return { kind: 'again', device: { ...device } };
  }

  /**
   * A heartbeat or any other message from a device, with what it says about itself now (a
   * heartbeat carries its track and set, so a renamed track is followed). Returns 'unknown' for
   * an id that never said hello (the hub then asks it to), 'returned' when a lost device speaks again.
   */
  heard(id: string, now: number, update: Partial<Pick<DeviceInfo, 'role' | 'track' | 'set' | 'alarm' | 'routing'>> = {}): 'unknown' | 'returned' | 'ok' {
    const device = this.devices.get(id);
    if (!device) return 'unknown';
    const wasLost = device.state === 'lost';
    Object.assign(device, update, { lastHeard: now, state: 'connected' });
    return wasLost ? 'returned' : 'ok';
  }

  /** Marks devices silent for too long as lost; returns the ones that changed. */
  sweep(now: number): DeviceInfo[] {
    const lost: DeviceInfo[] = [];
    for (const device of this.devices.values()) {
      if (device.state === 'connected' && now - device.lastHeard >= DEVICE_LOST_AFTER_MS) {
        device.state = 'lost';
        lost.push({ ...device });
      }
    }
    return lost;
  }

  endpoint(id: string): { address: string; port: number } | undefined {
    const device = this.devices.get(id);
    if (!device) return undefined;
    const cut = device.address.lastIndexOf(':');
    return { address: device.address.slice(0, cut), port: Number(device.address.slice(cut + 1)) };
  }
}

function sameSlot(device: DeviceInfo, hello: Hello): boolean {
  return device.set === hello.set && device.track === hello.track && device.role === hello.role;
}
