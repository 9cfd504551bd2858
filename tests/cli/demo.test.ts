import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { decode } from 'node-osc';
import { afterEach, expect, it } from 'vitest';

/**
 * `liveblend demo --headless`: a simulated Live set on its own. Its devices must announce
 * themselves to the discovery port exactly as devices in a real set do, and Ctrl-C must end it
 * cleanly with every device process gone.
 */

let child: ChildProcess | null = null;
let socket: Socket | null = null;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = null;
  await new Promise<void>((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
  socket = null;
});

/** The device processes a demo started (each simulated device is one, as each node.script is in Max). */
function devicePids(pid: number): number[] {
  return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('liveblend-device.js'))
    .map((line) => Number.parseInt(line.trim(), 10));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function exit(process: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => process.once('exit', (code) => resolve(code)));
}

it('runs a rig whose three devices say hello with their track names, and stops cleanly on SIGINT', async () => {
  const hellos = new Map<string, unknown[]>();
  socket = createSocket('udp4');
  const allThree = new Promise<void>((resolve) => {
    socket!.on('message', (packet) => {
      const message = decode(packet) as { address: string; args: Array<{ value: unknown }> };
      if (message.address !== '/liveblend/hello') return;
      const args = message.args.map((a) => a.value);
      hellos.set(String(args[0]), args);
      if (hellos.size === 3) resolve();
    });
  });
  await new Promise<void>((resolve) => socket!.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  child = spawn(process.execPath, ['bin/liveblend.js', 'demo', '--headless', '--discovery-port', String(port), '--no-link'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = exit(child);
  await Promise.race([allThree, ended.then((code) => Promise.reject(new Error(`demo exited early (${code}): ${stderr}`)))]);
  const announced = [...hellos.values()].map(([, role, track]) => `${String(role)}:${String(track)}`).sort();
  expect(announced).toEqual(['bus:Tracks', 'click:Click', 'iem:IEM Mix']);
  for (const args of hellos.values()) expect(args[5]).toBeGreaterThan(0);
  const devices = devicePids(child.pid!);
  expect(devices).toHaveLength(3);
  child.kill('SIGINT');
  expect(await ended).toBe(0);
  expect(stderr).toBe('');
  expect(devices.filter(alive)).toEqual([]);
}, 30_000);

it('refuses to run without --headless and says why', async () => {
  child = spawn(process.execPath, ['bin/liveblend.js', 'demo'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  expect(await exit(child)).toBe(2);
  expect(stderr).toMatch(/--headless/);
});
