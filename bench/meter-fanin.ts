/**
 * Meter fan-in: 32 devices × 10 Hz over UDP into the panel core, out to 4 ws clients.
 * Measures the core process's CPU (it runs alone in a child process, so devices and clients
 * are not counted) and the end-to-end latency from a device's send to each client's receipt.
 *
 *   node bin/run-ts.js bench/meter-fanin.ts [seconds, default 20] [--profile]
 *
 * --profile writes a V8 CPU profile of the core child to .cache/bench/profiles.
 *
 * Each reading carries its sequence number in the momentary field (float32 holds it exactly at
 * this resolution), so every stage can tell which send it is looking at. Every reading sent in
 * the measured window is accounted for: it reached the hub or was lost on the way (UDP); the hub
 * passed it into a meter frame or the frame batching replaced it with the same device's newer
 * reading (by design: a display shows the latest value); each client received that frame or not.
 */
import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { encode } from 'node-osc';
import WebSocket from 'ws';
import type { MeterReading } from '../src/shared/api';
import { defaultShowState, HEARTBEAT_INTERVAL_MS, METER_INTERVAL_MS, OSC, type OscArg } from '../src/shared/osc-protocol';

const DEVICES = 32;
const RATE_HZ = 1000 / METER_INTERVAL_MS;
const CLIENTS = 4;
/** Long enough for V8 to finish optimising the hot paths: shorter warm-ups read up to twice the steady CPU. */
const WARMUP_S = 5;
/** monitorEventLoopDelay's samples include its own interval; it is subtracted from what is reported. */
const LOOP_DELAY_RESOLUTION_MS = 20;
/** After the window closes, readings still in flight get this long to arrive before counting. */
const DRAIN_MS = 500;

export interface FaninResult {
  devices: number;
  rateHz: number;
  clients: number;
  seconds: number;
  cpuPercent: number;
  /** The part of cpuPercent spent in the kernel (UDP receives, socket writes, wake-ups). */
  cpuSystemPercent: number;
  p50: number;
  p99: number;
  max: number;
  /** Readings sent by the devices during the window. */
  sent: number;
  /** Of those, the ones the hub received and accepted. */
  reachedHub: number;
  /** Of those, the ones the meter frames carried (the rest were replaced by a newer reading of the same device). */
  inFrames: number;
  /** Sum over the clients of the readings each received (at most inFrames × clients). */
  delivered: number;
  /** The kernel's count of UDP datagrams dropped for a full receive buffer, machine-wide, during the run. */
  udpBufferDrops: number;
  /** The core's event-loop delay during the window (how late its callbacks ran). */
  coreLoopDelayP99: number;
  coreLoopDelayMax: number;
  loadBefore: number;
  loadAfter: number;
}

interface CoreReady {
  hubPort: number;
  httpPort: number;
}

interface CoreReport {
  cpu: NodeJS.CpuUsage;
  at: number;
  hubKeys?: string[];
  frameKeys?: string[];
  loopDelayP99?: number;
  loopDelayMax?: number;
}

const key = (deviceId: string, seq: number) => `${deviceId} ${seq}`;
const seqToLufs = (seq: number) => -10 - (seq % 40000) / 1000;
const lufsToSeq = (lufs: number) => Math.round((-10 - lufs) * 1000);

async function runCore(): Promise<void> {
  const { startServe } = await import('../src/cli/serve');
  const dir = await mkdtemp(join(tmpdir(), 'liveblend-bench-'));
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const serve = await startServe({ port: 0, discoveryPort: 0, lan: false, demo: false, link: false, staticRoot: dir, dataDir: dir }, { stdout: sink, stderr: sink });
  const hubKeys: string[] = [];
  const frameKeys: string[] = [];
  let recording = false;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  serve.core.hub.on('meter', (r) => recording && r.momentary !== null && hubKeys.push(key(r.deviceId, lufsToSeq(r.momentary))));
  serve.core.core.subscribe((event, payload) => {
    if (event !== 'meters:frame' || !recording) return;
    for (const r of payload as MeterReading[]) if (r.momentary !== null) frameKeys.push(key(r.deviceId, lufsToSeq(r.momentary)));
  });
  process.send!({ hubPort: serve.core.hub.port, httpPort: serve.server.port } satisfies CoreReady);
  process.on('message', async (message: string) => {
    if (message === 'start') {
      recording = true;
      loopDelay.enable();
      process.send!({ cpu: process.cpuUsage(), at: performance.now() } satisfies CoreReport);
    }
    if (message === 'end') process.send!({ cpu: process.cpuUsage(), at: performance.now() } satisfies CoreReport);
    if (message === 'report') {
      loopDelay.disable();
      const report: CoreReport = { cpu: process.cpuUsage(), at: performance.now(), hubKeys, frameKeys, loopDelayP99: loopDelay.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS, loopDelayMax: loopDelay.max / 1e6 - LOOP_DELAY_RESOLUTION_MS };
      process.send!(report);
    }
    if (message === 'stop') {
      await serve.close();
      await rm(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
}

function packet(address: string, spec: readonly OscArg[], values: unknown[]): Buffer {
  return encode({ oscType: 'message', address, args: spec.map((a, i) => ({ type: a.tag, value: values[i] })) });
}

/** Datagrams the kernel dropped because a UDP socket's receive buffer was full (all sockets). */
function udpRcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  if (lines.length < 2) return 0;
  const names = lines[0].split(/\s+/);
  const values = lines[1].split(/\s+/);
  return Number(values[names.indexOf('RcvbufErrors')] ?? 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchMeterFanin(seconds: number, options: { profileDir?: string } = {}): Promise<FaninResult> {
  const loadBefore = loadavg()[0];
  const dropsBefore = udpRcvbufErrors();
  const execArgv = ['--import', 'tsx', ...(options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [])];
  const core = fork(fileURLToPath(import.meta.url), ['--core'], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(message: string) => new Promise<T>((resolve) => core.once('message', (m) => resolve(m as T)).send(message));
  const ready = await new Promise<CoreReady>((resolve) => core.once('message', (m) => resolve(m as CoreReady)));

  /** Send time of each reading sent inside the window. */
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const received = Array.from({ length: CLIENTS }, () => new Set<string>());
  const clients = await Promise.all(
    received.map(async (seen) => {
      const ws = new WebSocket(`ws://127.0.0.1:${ready.httpPort}/api`);
      await new Promise((resolve) => ws.once('open', resolve));
      ws.on('message', (data) => {
        const now = performance.now();
        const message = JSON.parse(data.toString()) as { event?: string; payload?: MeterReading[] };
        if (message.event !== 'meters:frame') return;
        for (const reading of message.payload!) {
          if (reading.momentary === null) continue;
          const k = key(reading.deviceId, lufsToSeq(reading.momentary));
          const at = sent.get(k);
          if (at === undefined || seen.has(k)) continue;
          seen.add(k);
          latencies.push(now - at);
        }
      });
      return ws;
    }),
  );

  let windowOpen = false;
  const devices = await Promise.all(
    Array.from({ length: DEVICES }, async (_, i) => {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      const id = `bench-${i}`;
      let hubPort = 0;
      socket.on('message', (data, rinfo) => {
        const address = data.toString('latin1', 0, data.indexOf(0));
        if (address === OSC.welcome.address) hubPort = rinfo.port;
        if (address === OSC.showGetState.address) socket.send(packet(OSC.showGetState.reply!.address, OSC.showGetState.reply!.args, [JSON.stringify({ ...defaultShowState(), role: 'bus' })]), rinfo.port, rinfo.address);
        if (address === OSC.ping.address) socket.send(packet(OSC.ping.reply!.address, OSC.ping.reply!.args, [id]), rinfo.port, rinfo.address);
      });
      socket.send(packet(OSC.hello.address, OSC.hello.args, [id, 'bus', `Stem ${i}`, 'Bench', '0.1.0', socket.address().port, 48000]), ready.hubPort, '127.0.0.1');
      return { id, track: `Stem ${i}`, socket, hub: () => hubPort };
    }),
  );
  while (devices.some((d) => d.hub() === 0)) await sleep(10);

  // Devices run their own clocks, spread over the period as real instances would be.
  let seq = 0;
  const timers = devices.map((d, i) => {
    let interval: ReturnType<typeof setInterval> | undefined;
    let ticks = 0;
    const start = setTimeout(() => {
      interval = setInterval(() => {
        const n = ++seq;
        if (windowOpen) sent.set(key(d.id, n), performance.now());
        d.socket.send(packet(OSC.meter.address, OSC.meter.args, [d.id, 'bench song', seqToLufs(n), -18, -18, -3, 0, 0, n]), d.hub(), '127.0.0.1');
        if (++ticks % (HEARTBEAT_INTERVAL_MS / METER_INTERVAL_MS) === 0) {
          d.socket.send(packet(OSC.heartbeat.address, OSC.heartbeat.args, [d.id, 'bench song', 'bus', 1, 0, '', d.track, 'Bench', 'Master']), d.hub(), '127.0.0.1');
        }
      }, METER_INTERVAL_MS);
    }, (i * METER_INTERVAL_MS) / DEVICES);
    return () => {
      clearTimeout(start);
      clearInterval(interval);
    };
  });

  await sleep(WARMUP_S * 1000);
  const before = await ask<CoreReport>('start');
  windowOpen = true;
  await sleep(seconds * 1000);
  windowOpen = false;
  const after = await ask<CoreReport>('end');
  await sleep(DRAIN_MS);
  const report = await ask<CoreReport>('report');

  for (const stop of timers) stop();
  for (const ws of clients) ws.close();
  for (const d of devices) d.socket.close();
  const exited = new Promise((resolve) => core.once('exit', resolve));
  core.send('stop');
  await exited;

  const hubKeys = new Set(report.hubKeys);
  const frameKeys = new Set(report.frameKeys);
  const sentKeys = [...sent.keys()];
  const cpuMs = (after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system) / 1000;
  const systemMs = (after.cpu.system - before.cpu.system) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return {
    devices: DEVICES,
    rateHz: RATE_HZ,
    clients: CLIENTS,
    seconds,
    cpuPercent: (cpuMs / (after.at - before.at)) * 100,
    cpuSystemPercent: (systemMs / (after.at - before.at)) * 100,
    p50: pct(50),
    p99: pct(99),
    max: latencies[latencies.length - 1] ?? NaN,
    sent: sentKeys.length,
    reachedHub: sentKeys.filter((k) => hubKeys.has(k)).length,
    inFrames: sentKeys.filter((k) => frameKeys.has(k)).length,
    delivered: received.reduce((sum, seen) => sum + seen.size, 0),
    udpBufferDrops: udpRcvbufErrors() - dropsBefore,
    coreLoopDelayP99: report.loopDelayP99 ?? NaN,
    coreLoopDelayMax: report.loopDelayMax ?? NaN,
    loadBefore,
    loadAfter: loadavg()[0],
  };
}

export function formatFanin(r: FaninResult): string {
  const percent = (n: number, of: number) => `${((n / Math.max(1, of)) * 100).toFixed(2)} %`;
  return [
    `meter fan-in: ${r.devices} devices × ${r.rateHz} Hz → ${r.clients} ws clients, ${r.seconds} s measured (load average ${r.loadBefore.toFixed(2)} → ${r.loadAfter.toFixed(2)})`,
    `  core CPU: ${r.cpuPercent.toFixed(2)} % of one core, ${r.cpuSystemPercent.toFixed(2)} % of it in the kernel (target < 5 %: ${r.cpuPercent < 5 ? 'met' : 'NOT met'})`,
    `  end-to-end latency: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(2)} ms (target p99 < 20 ms: ${r.p99 < 20 ? 'met' : 'NOT met'})`,
    `  core event-loop delay: p99 ${r.coreLoopDelayP99.toFixed(2)} ms, max ${r.coreLoopDelayMax.toFixed(2)} ms`,
    `  readings sent in the window: ${r.sent}`,
    `    reached the hub: ${r.reachedHub} (${percent(r.reachedHub, r.sent)}; UDP receive-buffer drops on the machine during the run: ${r.udpBufferDrops})`,
    `    carried by a meter frame: ${r.inFrames} (${percent(r.inFrames, r.reachedHub)} of those at the hub; ${r.reachedHub - r.inFrames} replaced in their frame by the same device's newer reading)`,
    `    received by the clients: ${r.delivered} of ${r.inFrames * r.clients} framed × clients (${percent(r.delivered, r.inFrames * r.clients)}); of all sent × clients: ${percent(r.delivered, r.sent * r.clients)}`,
  ].join('\n');
}

if (process.argv.includes('--core')) await runCore();
else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 20);
  const profileDir = process.argv.includes('--profile') ? join(process.cwd(), '.cache', 'bench', 'profiles') : undefined;
  console.log(formatFanin(await benchMeterFanin(seconds, { profileDir })));
  if (profileDir) console.log(`  CPU profile of the core: ${profileDir}`);
}
