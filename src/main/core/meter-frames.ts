import type { MeterReading } from '../../shared/api';

/**
 * Meters from many devices (32 × 10 per second on a big rig) become one batch per short frame,
 * with each device's latest reading at most once, so every panel client gets a few dozen small
 * messages a second instead of hundreds. The frame is short so a reading is still fresh on screen.
 */
export const METER_FRAME_MS = 4;

export class MeterFrames {
  private readonly pending = new Map<string, MeterReading>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly flush: (frame: MeterReading[]) => void,
    private readonly frameMs = METER_FRAME_MS,
  ) {}

  add(reading: MeterReading): void {
    this.pending.set(reading.deviceId, reading);
    this.timer ??= setTimeout(() => this.emit(), this.frameMs);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  private emit(): void {
    this.timer = null;
    const frame = [...this.pending.values()];
    this.pending.clear();
    this.flush(frame);
  }
}
