/**
 * Side-by-side exactness check for the bench: Tech 3341 case 13 style bursts (400 ms at −23 dBFS,
 * 20 start offsets across a 100 ms block) measured by the analyzer and by ffmpeg's ebur128, whose
 * momentary value is only evaluated every 100 ms.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../src/main/analysis/analyze-file';
import { encodeWav } from '../src/main/audio';

const RATE = 48000;

function burst(offsetSeconds: number): Float32Array[] {
  const silenceBefore = Math.round((1 + offsetSeconds) * RATE);
  const burstLength = Math.round(0.4 * RATE);
  const x = new Float32Array(silenceBefore + burstLength + RATE);
  const amplitude = Math.pow(10, -23 / 20);
  for (let i = 0; i < burstLength; i++) x[silenceBefore + i] = amplitude * Math.sin((2 * Math.PI * 1000 * i) / RATE);
  return [x, x.slice()];
}

export async function compareCase13(folder: string, ffmpeg: boolean): Promise<{ liveblendPass: number; ffmpegPass: number | null; variants: number }> {
  mkdirSync(folder, { recursive: true });
  let liveblendPass = 0;
  let ffmpegPass = ffmpeg ? 0 : null;
  const variants = 20;
  for (let k = 0; k < variants; k++) {
    const path = join(folder, `case13-${k + 1}.wav`);
    writeFileSync(path, encodeWav(burst(k * 0.0047), { sampleRate: RATE, channels: 2, encoding: 'float32' }));
    const outcome = await analyzeFile({ path, series: false });
    if (outcome.ok && outcome.analysis.momentaryMax !== null && Math.abs(outcome.analysis.momentaryMax + 23) <= 0.1) liveblendPass++;
    if (ffmpegPass !== null) {
      const log = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-af', 'ebur128', '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 1 << 26 }).stderr;
      const values = [...log.matchAll(/M:\s*(-?[\d.]+)/g)].map((m) => Number(m[1]));
      if (values.length && Math.abs(Math.max(...values) + 23) <= 0.1) ffmpegPass++;
    }
  }
  return { liveblendPass, ffmpegPass, variants };
}
