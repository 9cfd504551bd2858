import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { LinkPeerProcess, lockLinkTests } from '../main/core/fixtures/link-peer-process';

const LIVEBLEND = fileURLToPath(new URL('../../bin/liveblend.js', import.meta.url));
const PEER_TEMPO = 133;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI; `interruptWhen` sends SIGINT once stdout passes the test. */
function runCli(args: string[], interruptWhen?: (stdout: string) => boolean): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LIVEBLEND, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (interruptWhen && !interrupted && interruptWhen(stdout)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    // A test deadline, not a wait: a hung CLI fails the test instead of the run.
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d) => (err += d));
  return { io: { stdout, stderr }, err: () => err };
}

let unlock: () => Promise<void>;
let peer: LinkPeerProcess | undefined;
beforeAll(async () => {
  unlock = await lockLinkTests();
});
afterAll(async () => {
  await peer?.stop();
  await unlock?.();
});

describe('liveblend link', () => {
  it('refuses bad flags with exit code 2 and says what was wrong', async () => {
    const quantum = capture();
    expect(await main(['link', '--quantum', '40'], quantum.io)).toBe(2);
    expect(quantum.err()).toMatch(/--quantum 40: expected a number from 1 to 16/);
    const timeout = capture();
    expect(await main(['link', '--timeout', '3'], timeout.io)).toBe(2);
    expect(timeout.err()).toMatch(/--timeout needs --json/);
  });

  it('--json with nobody else on the network: prints the state, exit code 1 and what to check', async () => {
    const run = await runCli(['link', '--json', '--timeout', '2']);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ peers: 0, quantum: 4, startStopSync: false });
    expect(run.stderr).toMatch(/no other Link peer found/);
    expect(run.stderr).toMatch(/same network/);
    expect(run.stderr).toMatch(/firewall/);
    expect(run.stderr).toMatch(/Link is switched on in Live/);
  });

  it('--json against a running peer: one JSON object with the peer tempo, exit 0, peer untouched', async () => {
    peer = await LinkPeerProcess.start(PEER_TEMPO);
    const run = await runCli(['link', '--json', '--quantum', '3']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(Object.keys(doc).sort()).toEqual(['beat', 'peers', 'phase', 'playing', 'quantum', 'startStopSync', 'tempo']);
    expect(doc.tempo).toBeCloseTo(PEER_TEMPO, 2);
    expect(doc.peers).toBeGreaterThanOrEqual(1);
    expect(doc.quantum).toBe(3);
    expect(doc.phase).toBeGreaterThanOrEqual(0);
    expect(doc.phase).toBeLessThan(3);
    expect(doc.playing).toBe(false);
    expect(new Set(peer.reports.map((r) => r.tempo))).toEqual(new Set([PEER_TEMPO]));
    expect(peer.reports.some((r) => r.peers >= 1)).toBe(true);
  });

  it('watches once a second until Ctrl-C, then leaves the session and exits 0', async () => {
    peer ??= await LinkPeerProcess.start(PEER_TEMPO);
    const from = peer.reports.length;
    const run = await runCli(['link'], (out) => /133\.00 BPM {2}1 peer /.test(out));
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Joined the Link session \(quantum 4\)\. Ctrl-C to leave\./);
    expect(run.stdout).toMatch(/133\.00 BPM {2}1 peer {3}bar +-?\d+ beat [1-4]\/4 {2}stopped/);
    expect(run.stderr).not.toMatch(/terminate|Aborted/);
    await peer.waitFor((r) => r.peers === 0, 5000, 'the peer to see the CLI leave', from + 1);
  });
});
