/**
 * Does the panel keep up with a big rig? Eight simulated devices (six stem buses, a click, an
 * in-ear mix) stream meters at real time into Now playing in Chromium, while the Long Tasks API
 * records every main-thread task over 50 ms. Target (issue 7): none.
 *
 *   node bin/run-ts.js bench/panel-streaming.ts [seconds]
 */
import type { RigDevice } from '../m4l-device/sim/rig';
import { demoSongs } from '../m4l-device/sim/songs';
import { chromiumMissing } from '../tests/support/chromium';
import { startPanelRig } from '../tests/support/panel-rig';

const SECONDS = Number(process.argv[2] ?? 20);
const DEVICES: RigDevice[] = [
  ...['Tracks', 'Keys', 'Pads', 'Guitars', 'Vocal FX', 'Perc'].map((track, i): RigDevice => ({ id: `bus${i}`, role: 'bus', track })),
  { id: 'click', role: 'click', track: 'Click' },
  { id: 'iem', role: 'iem', track: 'IEM Mix' },
];

const WATCH = `(() => {
  window.__longTasks = [];
  window.__frames = 0;
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(Math.round(e.duration)); }).observe({ type: 'longtask' });
  const count = () => { window.__frames++; requestAnimationFrame(count); };
  requestAnimationFrame(count);
})()`;

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) {
    console.log(`panel streaming: skipped (${missing})`);
    return;
  }
  const panel = await startPanelRig({ devices: DEVICES, songs: demoSongs(240) });
  try {
    const { page, rig, serve } = panel;
    await rig.waitFor(() => serve.core.hub.devices().filter((d) => d.state === 'connected').length === DEVICES.length, 30_000, 'every device');
    await page.getByTestId('tab-now-playing').click();
    rig.launchScene(2);
    const meter = page.getByTestId('meter-momentary');
    const deadline = Date.now() + 20_000;
    while (!(await meter.getAttribute('data-value'))) {
      if (Date.now() > deadline) throw new Error('no loudness reached Now playing within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await page.evaluate(WATCH);
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const longTasks = await page.evaluate<number[]>('window.__longTasks');
    const frames = await page.evaluate<number>('window.__frames');
    console.log(`panel streaming: ${DEVICES.length} devices for ${SECONDS} s — ${longTasks.length} long tasks${longTasks.length ? ` (${longTasks.join(', ')} ms)` : ''}, ${(frames / SECONDS).toFixed(1)} frames/s`);
  } finally {
    await panel.close();
  }
}

await main();
