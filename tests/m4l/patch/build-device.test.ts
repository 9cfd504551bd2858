import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AMXD_TYPE_AUDIO_EFFECT, readAmxd, readAmxdChunks } from '../../../m4l-device/patch/amxd';
import { AMXD_FILE, MAXPAT_FILE, buildDevice, deviceSources, readReleasedLongNames, versionDefine } from '../../../m4l-device/patch/build-device';
import { findProblems } from '../../../m4l-device/patch/validate';
import type { MaxBox, MaxPatcher } from '../../../m4l-device/patch/types';
import { fixtureSources, type FixtureSources } from './fixture-sources';

const fixtures: FixtureSources[] = [];
function fresh(): FixtureSources {
  const f = fixtureSources();
  fixtures.push(f);
  return f;
}
const tempDirs: string[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.remove();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** The real node script, bundled into a temporary folder (the checkout's dist/ is left alone). */
async function realBundle(define?: Record<string, string>): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'liveblend-dist-'));
  tempDirs.push(outDir);
  await buildDevice({ ...deviceSources(repoRoot), outDir, define });
  return readFileSync(join(outDir, 'liveblend-device.js'), 'utf8');
}

async function built() {
  const f = fresh();
  const { amxd } = await buildDevice(f.sources);
  const { patcher } = readAmxd(amxd) as { patcher: { patcher: MaxPatcher } };
  return { f, amxd, patcher: patcher.patcher };
}

const boxes = (patcher: MaxPatcher): MaxBox[] => patcher.boxes.map((b) => b.box);
const byId = (patcher: MaxPatcher, id: string): MaxBox => {
  const box = boxes(patcher).find((b) => b.id === id);
  if (!box) throw new Error(`no box ${id}`);
  return box;
};

/** Ids reachable from `start` along cords. */
function reachable(patcher: MaxPatcher, start: string): Set<string> {
  const seen = new Set([start]);
  const todo = [start];
  while (todo.length > 0) {
    const id = todo.pop()!;
    for (const { patchline } of patcher.lines) {
      if (patchline.source[0] === id && !seen.has(patchline.destination[0])) {
        seen.add(patchline.destination[0]);
        todo.push(patchline.destination[0]);
      }
    }
  }
  return seen;
}

describe('npm run build:device (buildDevice)', () => {
  it('writes an unfrozen audio-effect .amxd whose chunks, JSON and patch read back valid', async () => {
    const { f, amxd, patcher } = await built();
    const chunks = readAmxdChunks(amxd);
    expect(chunks.map((c) => c.tag)).toEqual(['ampf', 'meta', 'ptch']);
    expect(new TextDecoder().decode(chunks[0].payload)).toBe('aaaa');
    expect(chunks[1].payload.length).toBe(4);
    const ptch = chunks[2].payload;
    expect([ptch[ptch.length - 2], ptch[ptch.length - 1]]).toEqual([0x0a, 0x00]);
    expect((patcher.project as { amxdtype: number }).amxdtype).toBe(AMXD_TYPE_AUDIO_EFFECT);
    expect(patcher.openinpresentation).toBe(1);
    expect((patcher.openrect as number[])[3]).toBe(169);

    const released = readReleasedLongNames(f.sources.releasedLongNames);
    expect(findProblems({ patcher }, { distDir: f.sources.outDir, releasedLongNames: released })).toEqual([]);
    const maxpat = JSON.parse(readFileSync(join(f.sources.outDir, MAXPAT_FILE), 'utf8'));
    expect(maxpat).toEqual({ patcher });
  });

  it('is deterministic: the same sources give the same bytes, in any folder', async () => {
    const a = await built();
    const b = await built();
    expect(Buffer.from(b.amxd).equals(Buffer.from(a.amxd))).toBe(true);
    for (const file of ['liveblend-device.js', 'package.json', 'liveblend-live.js', 'liveblend-guide.maxpat', MAXPAT_FILE]) {
      expect(readFileSync(join(b.f.sources.outDir, file), 'utf8'), file).toBe(readFileSync(join(a.f.sources.outDir, file), 'utf8'));
    }
  });

  it('bundles the node script as CommonJS with max-api left to Max and local modules inlined', async () => {
    const { f } = await built();
    const bundle = readFileSync(join(f.sources.outDir, 'liveblend-device.js'), 'utf8');
    expect(bundle).toContain('require("max-api")');
    expect(bundle).toContain('function describeTempo');
    expect(bundle).not.toMatch(/^\s*import\s/m);
    expect(bundle).not.toContain('sourceMappingURL');
  });

  it("writes package.json's version into the node script as a literal, so the installed bundle never reads package.json", async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(versionDefine(repoRoot)).toEqual({ __LIVEBLEND_VERSION__: JSON.stringify(version) });
    const released = await realBundle(versionDefine(repoRoot));
    expect(released).toMatch(new RegExp(`DEVICE_VERSION = [^;]*${JSON.stringify(version).replaceAll('.', '\\.')}`));
    expect(released).not.toContain('package.json');
    expect(released).not.toContain('__LIVEBLEND_VERSION__');
    // Without the define (a build that forgot it), the bundle would look for package.json beside itself.
    expect(await realBundle()).toContain('package.json');
  });

  it('fails naming every missing source and writes no device', async () => {
    const f = fresh();
    rmSync(f.sources.stripKernel);
    rmSync(f.sources.liveScript);
    const message = await buildDevice(f.sources).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(message).toContain('gen/strip.genexpr (the gen~ channel strip kernel)');
    expect(message).toContain('live/liveblend-live.js (the [js] LiveAPI adapter)');
    expect(existsSync(join(f.sources.outDir, AMXD_FILE))).toBe(false);
  });

  it('refuses kernels whose outputs disagree with params.ts', async () => {
    const f = fresh();
    writeFileSync(f.sources.meterKernel, `${readFileSync(f.sources.meterKernel, 'utf8')}\nout6 = 0;\n`);
    await expect(buildDevice(f.sources)).rejects.toThrow(/METER_OUTPUTS lists 5 outputs but meter\.genexpr assigns out1\.\.out6/);
  });

  it('refuses a node script that does not compile, naming the file', async () => {
    const f = fresh();
    writeFileSync(f.sources.nodeEntry, 'import { nothing } from "./missing";\nnothing();\n');
    await expect(buildDevice(f.sources)).rejects.toThrow(/bundling src\/index\.ts failed: .*missing/);
  });
});

describe('the LiveBlend patch', () => {
  it('runs stereo audio plugin~ → gen~ strip → plugout~ and feeds the meter kernel from the strip', async () => {
    const { patcher } = await built();
    const cords = patcher.lines.map(({ patchline: l }) => `${l.source.join(':')}>${l.destination.join(':')}`);
    expect(cords).toEqual(expect.arrayContaining(['plugin:0>strip:0', 'plugin:1>strip:1', 'strip:0>plugout:0', 'strip:1>plugout:1', 'strip:0>meter:0', 'strip:1>meter:1']));
    const strip = byId(patcher, 'strip');
    const code = strip.patcher!.boxes.map((b) => b.box).find((b) => b.maxclass === 'codebox')!;
    expect(code.code).toContain('Param trim_gain');
  });

  it('sends one meter message of 7 values polled every 20 ms, counter into the hot inlet last', async () => {
    const { patcher } = await built();
    expect(byId(patcher, 'meter-poll').text).toBe('metro 20 @active 1');
    const pack = byId(patcher, 'meter-pack');
    expect(pack.numinlets).toBe(7);
    const intoPack = patcher.lines.filter((l) => l.patchline.destination[0] === 'meter-pack').map((l) => l.patchline);
    expect(intoPack.find((l) => l.destination[1] === 0)?.source[0]).toBe('meter-snap0');
    // trigger fires right to left: the counter's snapshot is banged by outlet 0, i.e. last.
    const fanToCounter = patcher.lines.find((l) => l.patchline.source[0] === 'meter-fan' && l.patchline.destination[0] === 'meter-snap0');
    expect(fanToCounter?.patchline.source[1]).toBe(0);
    expect(reachable(patcher, 'meter-pack')).toContain('node');
  });

  it('holds every message for node in the ready gate until node says ready', async () => {
    const { patcher } = await built();
    const gate = byId(patcher, 'ready-gate');
    expect(gate.text).toBe('gate 2 1');
    const intoNode = patcher.lines.filter((l) => l.patchline.destination[0] === 'node').map((l) => l.patchline.source[0]);
    expect(intoNode.sort()).toEqual(['queue', 'ready-gate']);
    for (const source of ['live-adapter', 'samplerate-msg', 'meter-msg', 'role-msg', 'learn-msg', 'param-trim', 'param-ceiling', 'param-bypass']) {
      const cord = patcher.lines.find((l) => l.patchline.source[0] === source && l.patchline.destination[0] === 'ready-gate');
      expect(cord?.patchline.destination[1], source).toBe(1);
    }
    const onReady = patcher.lines.filter((l) => l.patchline.source[0] === 'on-ready').map((l) => `${l.patchline.source[1]}>${l.patchline.destination[0]}`);
    expect(onReady.sort()).toEqual(['0>queue-clear', '1>queue-dump', '2>gate-to-node']);
  });

  it('starts the [js] adapter from live.thisdevice and routes node output by selector', async () => {
    const { patcher } = await built();
    expect(reachable(patcher, 'thisdevice')).toContain('live-adapter');
    expect(byId(patcher, 'from-node').text).toBe('route ready gen ui js state');
    const fromNode = reachable(patcher, 'from-node');
    const dials = ['dial-trim', 'dial-eq1_gain', 'dial-eq2_gain', 'dial-eq3_gain', 'dial-eq4_gain', 'dial-eq5_gain', 'dial-ceiling'];
    for (const target of ['strip', 'meter', 'live-adapter', 'state', 'song', 'integrated', 'short-term', 'gr', 'limiting', 'alarm', 'role', ...dials, 'ready-gate']) {
      expect(fromNode, target).toContain(target);
    }
    expect(byId(patcher, 'state').text).toBe('dict ---liveblend_state @embed 1');
    expect(byId(patcher, 'gen-strip').text).toBe('routepass trim_gain limiter_ceiling');
  });

  it('shows the controls a user touches inside the 169 px device view', async () => {
    const { patcher } = await built();
    const shown = boxes(patcher).filter((b) => b.presentation === 1);
    for (const id of ['role', 'song', 'dial-trim', 'integrated', 'short-term', 'gr', 'limiting', 'docs', 'alarm']) {
      expect(shown.map((b) => b.id), id).toContain(id);
    }
    for (const box of shown) {
      const [x, y, w, h] = box.presentation_rect as number[];
      expect(y + h, box.id).toBeLessThanOrEqual(169);
      expect(x + w, box.id).toBeLessThanOrEqual(patcher.devicewidth as number);
    }
  });

  it("sums the click kernel into both sides of plugout~, driven by Live's beat phase and beat count, its Params routed to it alone", async () => {
    const { patcher } = await built();
    const cords = patcher.lines.map(({ patchline: l }) => `${l.source.join(':')}>${l.destination.join(':')}`);
    expect(cords).toEqual(expect.arrayContaining(['beat-phase:0>click:0', 'beat-sync:6>beat-count:0', 'beat-count:0>click:1', 'click:0>plugout:0', 'click:0>plugout:1', 'meter-poll:0>beat-sync:0']));
    expect(byId(patcher, 'beat-phase').text).toBe('plugphasor~');
    expect(byId(patcher, 'beat-sync').outlettype?.[6]).toBe('float');
    expect(byId(patcher, 'click').outlettype).toEqual(['signal']);
    expect(byId(patcher, 'gen-click').text).toBe('routepass click_level');
    expect(reachable(patcher, 'from-node')).toContain('click');
  });

  it('writes {"type":"commonjs"} beside the node script, and the validator insists on it', async () => {
    const { f, patcher } = await built();
    const path = join(f.sources.outDir, 'package.json');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ type: 'commonjs' });
    const context = { distDir: f.sources.outDir, releasedLongNames: readReleasedLongNames(f.sources.releasedLongNames) };
    writeFileSync(path, '{"type":"module"}\n');
    expect(findProblems({ patcher }, context)).toEqual([expect.stringMatching(/^box node \[node\.script liveblend-device\.js @autostart 1\]: .*package\.json must say \{"type":"commonjs"\}/)]);
  });

  it('makes trim, EQ gains, ceiling and bypass automatable live.* parameters with units and ranges', async () => {
    const { patcher } = await built();
    const params = boxes(patcher)
      .filter((b) => b.parameter_enable === 1)
      .map((b): Record<string, unknown> => ({ cls: b.maxclass, ...b.saved_attribute_attributes!.valueof! }));
    const byName = new Map(params.map((p) => [p.parameter_longname, p]));
    expect(byName.get('Trim')).toMatchObject({ cls: 'live.dial', parameter_shortname: 'Trim', parameter_type: 0, parameter_mmin: -24, parameter_mmax: 24, parameter_unitstyle: 4, parameter_invisible: 0 });
    expect(byName.get('EQ 3 Gain')).toMatchObject({ parameter_mmin: -18, parameter_mmax: 18, parameter_unitstyle: 4 });
    expect(byName.get('Ceiling')).toMatchObject({ parameter_mmin: -20, parameter_mmax: 0, parameter_initial: [-1] });
    expect(byName.get('Bypass')).toMatchObject({ cls: 'live.toggle', parameter_type: 2, parameter_enum: ['off', 'on'] });
    expect(byName.get('Role')).toMatchObject({ cls: 'live.menu', parameter_enum: ['bus', 'click', 'iem'], parameter_invisible: 1 });
  });
});
