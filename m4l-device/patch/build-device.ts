/**
 * `npm run build:device` (DESIGN.md §4): bundles the Node-for-Max script, copies the [js]
 * adapter, writes the guide patcher, describes and validates the patch, and writes
 * LiveBlend.amxd and a readable LiveBlend.maxpat into the output folder, with a package.json
 * that makes the folder CommonJS (see PACKAGE_JSON). Every source path is
 * an option, so tests build from small fixtures. Nothing is half-written: a missing source or
 * an invalid patch stops the build before the device files are touched, and every file is
 * written to a temporary name and renamed into place.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';
import { z } from 'zod';
import { writeAmxd } from './amxd';
import { genIo } from './code-io';
import { guidePatcher } from './guide-patcher';
import { GUIDE_PATCHER, LIVE_SCRIPT, NODE_SCRIPT, describeDevice, type DeviceKernels } from './liveblend-device';
import { assertValidPatch } from './validate';
import { patcherText, toPatcher } from './write-patcher';

export const AMXD_FILE = 'LiveBlend.amxd';
export const MAXPAT_FILE = 'LiveBlend.maxpat';
/**
 * The node script is a CommonJS bundle. Node decides how to load a .js file from the nearest
 * package.json: without this one, a dist/ folder inside this repository (whose package.json says
 * "type": "module") would load it as an ES module and fail. In Live's User Library it changes
 * nothing, since CommonJS is Node's default there.
 */
export const PACKAGE_JSON_FILE = 'package.json';
export const PACKAGE_JSON = `${JSON.stringify({ type: 'commonjs' })}\n`;

export interface DeviceSources {
  /** Folder paths in messages and in the bundle are relative to (the repository root). */
  root: string;
  nodeEntry: string;
  liveScript: string;
  stripKernel: string;
  meterKernel: string;
  clickKernel: string;
  /** gen/params.ts: its STRIP_OUTPUTS, METER_OUTPUTS and CLICK_OUTPUTS must match the kernels' outputs. */
  paramsModule: string;
  guide: string;
  releasedLongNames: string;
  outDir: string;
  /** Identifiers esbuild replaces in the node script, each with a JavaScript expression (e.g. a JSON string). */
  define?: Record<string, string>;
}

/** The real sources, under the repository root. */
export function deviceSources(root: string): DeviceSources {
  return {
    root,
    nodeEntry: join(root, 'm4l-device/src/index.ts'),
    liveScript: join(root, 'm4l-device/live/liveblend-live.js'),
    stripKernel: join(root, 'm4l-device/gen/strip.genexpr'),
    meterKernel: join(root, 'm4l-device/gen/meter.genexpr'),
    clickKernel: join(root, 'm4l-device/gen/click.genexpr'),
    paramsModule: join(root, 'm4l-device/gen/params.ts'),
    guide: join(root, 'docs/device.md'),
    releasedLongNames: join(root, 'm4l-device/released-long-names.json'),
    outDir: join(root, 'm4l-device/dist'),
  };
}

/**
 * What the release build defines in the node script: the package version as
 * __LIVEBLEND_VERSION__ (m4l-device/src/version.ts), so the bundle never reads package.json.
 */
export function versionDefine(root: string): Record<string, string> {
  const path = join(root, 'package.json');
  const parsed = z.object({ version: z.string().min(1) }).safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new DeviceBuildError(`${path} has no "version": the device would announce no version`);
  return { __LIVEBLEND_VERSION__: JSON.stringify(parsed.data.version) };
}

export class DeviceBuildError extends Error {
  override name = 'DeviceBuildError';
}

const SOURCE_ROLES: Readonly<Record<Exclude<keyof DeviceSources, 'root' | 'outDir' | 'define'>, string>> = {
  nodeEntry: 'the Node-for-Max entry',
  liveScript: 'the [js] LiveAPI adapter',
  stripKernel: 'the gen~ channel strip kernel',
  meterKernel: 'the gen~ meter kernel',
  clickKernel: 'the gen~ click kernel',
  paramsModule: 'the gen~ Param and output names',
  guide: 'the device guide',
  releasedLongNames: 'the released parameter long names',
};

const releasedSchema = z.strictObject({ note: z.string(), longNames: z.array(z.string().min(1)) });

export function readReleasedLongNames(path: string): string[] {
  const parsed = releasedSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new DeviceBuildError(`${path}: expected { "note": string, "longNames": [string, …] } (${parsed.error.issues[0].message})`);
  return parsed.data.longNames;
}

function writeAtomic(path: string, data: string | Uint8Array): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

async function bundleNodeScript(sources: DeviceSources): Promise<string> {
  try {
    const result = await esbuild({
      entryPoints: [sources.nodeEntry],
      absWorkingDir: sources.root,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['max-api'],
      write: false,
      sourcemap: false,
      logLevel: 'silent',
      legalComments: 'none',
      charset: 'utf8',
      define: sources.define,
    });
    return result.outputFiles[0].text;
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
    const detail = errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text)).join('; ');
    throw new DeviceBuildError(`bundling ${relative(sources.root, sources.nodeEntry)} failed: ${detail || String(error)}`);
  }
}

/** STRIP_OUTPUTS / METER_OUTPUTS / CLICK_OUTPUTS from params.ts must list as many outputs as the kernels assign. */
async function checkParamsModule(sources: DeviceSources, kernels: DeviceKernels): Promise<void> {
  const module = (await import(pathToFileURL(sources.paramsModule).href)) as Record<string, unknown>;
  const name = relative(sources.root, sources.paramsModule);
  for (const [exportName, code, kernel] of [
    ['STRIP_OUTPUTS', kernels.strip, 'strip.genexpr'],
    ['METER_OUTPUTS', kernels.meter, 'meter.genexpr'],
    ['CLICK_OUTPUTS', kernels.click, 'click.genexpr'],
  ] as const) {
    const outputs = module[exportName];
    const count = Array.isArray(outputs) ? outputs.length : typeof outputs === 'object' && outputs !== null ? Object.keys(outputs).length : undefined;
    if (count === undefined) throw new DeviceBuildError(`${name} does not export ${exportName} (the names of ${kernel}'s outputs, in order)`);
    const outs = genIo(code).outs;
    if (count !== outs) throw new DeviceBuildError(`${name}: ${exportName} lists ${count} outputs but ${kernel} assigns out1..out${outs}`);
  }
}

function describeOrFail(kernels: DeviceKernels) {
  try {
    return describeDevice(kernels);
  } catch (error) {
    throw new DeviceBuildError((error as Error).message);
  }
}

export interface DeviceBuild {
  amxd: Uint8Array;
  files: string[];
}

export async function buildDevice(sources: DeviceSources): Promise<DeviceBuild> {
  const missing = (Object.keys(SOURCE_ROLES) as (keyof typeof SOURCE_ROLES)[]).filter((key) => !existsSync(sources[key]));
  if (missing.length > 0) {
    const list = missing.map((key) => `  - ${relative(sources.root, sources[key])} (${SOURCE_ROLES[key]})`).join('\n');
    throw new DeviceBuildError(`cannot build the device: source file${missing.length === 1 ? ' is' : 's are'} missing:\n${list}`);
  }
  const kernels: DeviceKernels = {
    strip: readFileSync(sources.stripKernel, 'utf8'),
    meter: readFileSync(sources.meterKernel, 'utf8'),
    click: readFileSync(sources.clickKernel, 'utf8'),
  };
  await checkParamsModule(sources, kernels);
  const liveScript = readFileSync(sources.liveScript, 'utf8');
  const released = readReleasedLongNames(sources.releasedLongNames);
  const spec = describeOrFail(kernels);
  const bundle = await bundleNodeScript(sources);

  mkdirSync(sources.outDir, { recursive: true });
  const out = (file: string) => join(sources.outDir, file);
  writeAtomic(out(PACKAGE_JSON_FILE), PACKAGE_JSON);
  writeAtomic(out(NODE_SCRIPT), bundle);
  writeAtomic(out(LIVE_SCRIPT), liveScript);
  writeAtomic(out(GUIDE_PATCHER), `${patcherText(guidePatcher(readFileSync(sources.guide, 'utf8')))}\n`);

  const patcher = toPatcher(spec, { scripts: { [LIVE_SCRIPT]: liveScript } });
  assertValidPatch({ patcher }, { distDir: sources.outDir, releasedLongNames: released });
  const text = patcherText(patcher);
  const amxd = writeAmxd(text);
  writeAtomic(out(AMXD_FILE), amxd);
  writeAtomic(out(MAXPAT_FILE), `${text}\n`);
  return { amxd, files: [AMXD_FILE, MAXPAT_FILE, NODE_SCRIPT, PACKAGE_JSON_FILE, LIVE_SCRIPT, GUIDE_PATCHER].map(out) };
}
