/**
 * Meter fan-in: 32 devices × 10 Hz over UDP into the panel core, out to 4 ws clients.
 * Measures the core process's CPU (it runs alone in a child process, so devices and clients
 * are not counted) and the end-to-end latency from a device's send to each client's receipt.
 *
 *   node bin/run-ts.js bench/meter-fanin.ts [seconds]
 *
 * Each reading carries its sequence number in the momentary field (float32 holds it exactly at
 * this resolution), so a client can tell which send it is looking at.
 */
import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { encode } from 'node-osc';
import WebSocket from 'ws';
import { OSC, type OscArg } from '../src/shared/osc-protocol';

const DEVICES = 32;
const RATE_HZ = 10;
const CLIENTS = 4;
const WARMUP_S = 2;
const MEASURE_S = Number(process.argv[2] ?? 10);

interface CoreReady {
  hubPort: number;
  httpPort: number;
}

async function runCore(): Promise<void> {
  const { startServe } = await import('../src/cli/serve');
  const dir = await mkdtemp(join(tmpdir(), 'liveblend-bench-'));
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const serve = await startServe({ port: 0, discoveryPort: 0, lan: false, demo: false, link: false, staticRoot: dir, dataDir: dir }, { stdout: sink, stderr: sink });
  process.send!({ hubPort: serve.core.hub.port, httpPort: serve.server.port } satisfies CoreReady);
  process.on('message', async (message: string) => {
    if (message === 'cpu') process.send!({ cpu: process.cpuUsage(), at: performance.now() });
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

const seqToLufs = (seq: number) => -10 - (seq % 40000) / 1000;
const lufsToSeq = (lufs: number) => Math.round((-10 - lufs) * 1000);

async function main(): Promise<void> {
  const core = fork(process.argv[1], ['--core'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(message: string) => new Promise<T>((resolve) => core.once('message', (m) => resolve(m as T)).send(message));
  const ready = await new Promise<CoreReady>((resolve) => core.once('message', (m) => resolve(m as CoreReady)));

  const sent = new Map<string, number>();
  const latencies: number[] = [];
  let measuring = false;
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${ready.httpPort}/api`);
      await new Promise((resolve) => ws.once('open', resolve));
      ws.on('message', (data) => {
        const now = performance.now();
        const message = JSON.parse(data.toString()) as { event?: string; payload?: { deviceId: string; momentary: number }[] };
        if (message.event !== 'meters:frame' || !measuring) return;
        for (const reading of message.payload!) {
          const at = sent.get(`${reading.deviceId} ${lufsToSeq(reading.momentary)}`);
          if (at !== undefined) latencies.push(now - at);
        }
      });
      return ws;
    }),
  );

  const devices = await Promise.all(
    Array.from({ length: DEVICES }, async (_, i) => {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      const id = `bench-${i}`;
      let hubPort = 0;
      socket.on('message', (data, rinfo) => {
        const address = data.toString('latin1', 0, data.indexOf(0));
        if (address === OSC.welcome.address) hubPort = rinfo.port;
        if (address === OSC.showGetState.address) socket.send(packet(OSC.showGetState.reply!.address, OSC.showGetState.reply!.args, [JSON.stringify(emptyState())]), rinfo.port, rinfo.address);
        if (address === OSC.ping.address) socket.send(packet(OSC.ping.reply!.address, OSC.ping.reply!.args, [id]), rinfo.port, rinfo.address);
      });
      socket.send(packet(OSC.hello.address, OSC.hello.args, [id, 'bus', `Stem ${i}`, 'Bench', '0.1.0', socket.address().port, 48000]), ready.hubPort, '127.0.0.1');
      return { id, socket, hub: () => hubPort };
    }),
  );
  while (devices.some((d) => d.hub() === 0)) await new Promise((r) => setTimeout(r, 10));

  // Devices run their own 100 ms clocks, spread over the period as real instances would be.
  let seq = 0;
  const timers = devices.map((d, i) => {
    const start = setTimeout(() => {
      const tick = () => {
        const n = ++seq;
        const values = [d.id, 'bench song', seqToLufs(n), -18, -18, -3, 0, 0, n];
        sent.set(`${d.id} ${lufsToSeq(seqToLufs(n))}`, performance.now());
        d.socket.send(packet(OSC.meter.address, OSC.meter.args, values), d.hub(), '127.0.0.1');
        const heartbeat = packet(OSC.heartbeat.address, OSC.heartbeat.args, [d.id, 'bench song', 'bus', 1, 0, '']);
        if (n % RATE_HZ === 0) d.socket.send(heartbeat, d.hub(), '127.0.0.1');
      };
      interval = setInterval(tick, 1000 / RATE_HZ);
    }, (i * 1000) / RATE_HZ / DEVICES);
    let interval: ReturnType<typeof setInterval> | undefined;
    return () => {
      clearTimeout(start);
      clearInterval(interval);
    };
  });

  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  measuring = true;
  const before = await ask<{ cpu: NodeJS.CpuUsage; at: number }>('cpu');
  await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
  const after = await ask<{ cpu: NodeJS.CpuUsage; at: number }>('cpu');
  measuring = false;

  for (const stop of timers) stop();
  for (const ws of clients) ws.close();
  for (const d of devices) d.socket.close();
  core.send('stop');

  const cpuMs = (after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system) / 1000;
  const cpuPercent = (cpuMs / (after.at - before.at)) * 100;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  const expected = DEVICES * RATE_HZ * MEASURE_S * CLIENTS;
  console.log(`meter fan-in: ${DEVICES} devices × ${RATE_HZ} Hz → ${CLIENTS} ws clients, ${MEASURE_S} s measured`);
  console.log(`  core CPU: ${cpuPercent.toFixed(2)} % of one core`);
  console.log(`  end-to-end latency: p50 ${pct(50).toFixed(2)} ms, p99 ${pct(99).toFixed(2)} ms, max ${pct(100).toFixed(2)} ms`);
  console.log(`  readings delivered: ${latencies.length} of ${expected} sent × clients (${((latencies.length / expected) * 100).toFixed(1)} %)`);
}

function emptyState() {
  return { version: 1, presets: {}, targetLufs: -18, ceilingDbtp: -1, role: 'bus', fohOutputs: ['Master'], clickEnabled: true, lan: false, measurements: {} };
}

if (process.argv.includes('--core')) await runCore();
else await main();
