/**
 * The device validator (DESIGN.md §4). It reads patcher JSON, not the description, so the
 * same checks run on a patch just written and on one parsed back out of a built .amxd. Every
 * problem names its box (id and text) and says what to do; all problems are reported at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AMXD_TYPE_AUDIO_EFFECT } from './amxd';
import { genIo, jsIo } from './code-io';
import { DEVICE_LOCAL_PREFIX, NAMED_CLASSES, NEWOBJ_CLASSES, SIGNAL_INLET_CLASSES, UI_CLASSES, parseObjectText, type ObjectIo } from './object-classes';
import { PARAMETER_TYPE, type MaxBox, type MaxPatcher } from './types';

/** Live shows every device 169 px high. */
export const DEVICE_HEIGHT = 169;

export interface ValidateContext {
  /** Folder the device is loaded from: every script and file it references must be there. */
  distDir: string;
  /** Parameter long names already released (Live stores automation by them). */
  releasedLongNames: readonly string[];
}

export class PatchValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`the device patch is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PatchValidationError';
  }
}

const boxSchema = z.looseObject({
  id: z.string().min(1),
  maxclass: z.string().min(1),
  text: z.string().optional(),
  numinlets: z.number().int().min(0),
  numoutlets: z.number().int().min(0),
  outlettype: z.array(z.string()).optional(),
});
const endSchema = z.tuple([z.string(), z.number().int().min(0)]);
const patcherSchema = z.looseObject({
  boxes: z.array(z.looseObject({ box: boxSchema })),
  lines: z.array(z.looseObject({ patchline: z.looseObject({ source: endSchema, destination: endSchema }) })),
});
const documentSchema = z.looseObject({ patcher: patcherSchema });

export const describeBox = (box: Pick<MaxBox, 'id' | 'maxclass' | 'text'>): string => `box ${box.id} [${box.text ?? box.maxclass}]`;

const repeat = (n: number, type: string): string[] => Array.from({ length: n }, () => type);

/** The gen~ box's embedded patcher: its code and its in/out box counts, or why it cannot be read. */
function checkGen(box: MaxBox, problems: string[]): ObjectIo | undefined {
  const name = describeBox(box);
  const inner = box.patcher;
  if (!inner || inner.classnamespace !== 'dsp.gen') {
    problems.push(`${name}: has no embedded gen patcher (classnamespace "dsp.gen")`);
    return undefined;
  }
  const innerBoxes = inner.boxes.map((b) => b.box);
  const codeboxes = innerBoxes.filter((b) => b.maxclass === 'codebox');
  if (codeboxes.length !== 1 || typeof codeboxes[0].code !== 'string') {
    problems.push(`${name}: the gen patcher must hold exactly one codebox with code (found ${codeboxes.length})`);
    return undefined;
  }
  const count = (word: 'in' | 'out') => innerBoxes.filter((b) => new RegExp(`^${word} \\d+$`).test(b.text ?? '')).length;
  const boxesIn = count('in');
  const boxesOut = count('out');
  const code = genIo(codeboxes[0].code);
  if (boxesIn !== code.ins || boxesOut !== code.outs) {
    problems.push(`${name}: gen patcher has ${boxesIn} in / ${boxesOut} out boxes but its code uses in1..in${code.ins} and out1..out${code.outs}: rebuild the box from the kernel`);
  }
  return { inlets: Math.max(boxesIn, 1), outlettype: repeat(boxesOut, 'signal') };
}

function scriptIn(distDir: string, box: MaxBox, fileName: string | undefined, problems: string[]): string | undefined {
  if (!fileName) {
    problems.push(`${describeBox(box)}: names no script file`);
    return undefined;
  }
  const path = join(distDir, fileName);
  if (!existsSync(path)) {
    problems.push(`${describeBox(box)}: script ${fileName} is not in ${distDir}: run npm run build:device`);
    return undefined;
  }
  return readFileSync(path, 'utf8');
}

/**
 * node.script's bundle is CommonJS; Node loads a .js file as the nearest package.json says, so
 * the folder must carry one saying "commonjs" (the build writes it) or a module-type package
 * around it would break the script.
 */
function checkCommonJsFolder(distDir: string, box: MaxBox, problems: string[]): void {
  const path = join(distDir, 'package.json');
  let type: unknown;
  try {
    type = (JSON.parse(readFileSync(path, 'utf8')) as { type?: unknown }).type;
  } catch {
    type = undefined;
  }
  if (type !== 'commonjs') problems.push(`${describeBox(box)}: ${path} must say {"type":"commonjs"} so Node loads the CommonJS bundle as such: run npm run build:device`);
}

/** What the box's class says its inlets and outlets are, or undefined (with a problem) when it cannot say. */
function expectedIo(box: MaxBox, context: ValidateContext, problems: string[]): ObjectIo | undefined {
  if (box.maxclass !== 'newobj') {
    const io = UI_CLASSES[box.maxclass];
    if (!io) problems.push(`${describeBox(box)}: unknown object class "${box.maxclass}" (not in m4l-device/patch/object-classes.ts)`);
    return io;
  }
  const { className, args } = parseObjectText(box.text ?? '');
  if (className === 'gen~') return checkGen(box, problems);
  if (className === 'js') {
    const script = scriptIn(context.distDir, box, args[0], problems);
    if (script === undefined) return undefined;
    const io = jsIo(script);
    return { inlets: io.inlets, outlettype: repeat(io.outlets, '') };
  }
  if (className === 'node.script') {
    scriptIn(context.distDir, box, args[0], problems);
    checkCommonJsFolder(context.distDir, box, problems);
  }
  if (NAMED_CLASSES.has(className) && args[0] !== undefined && !args[0].startsWith(DEVICE_LOCAL_PREFIX)) {
    problems.push(`${describeBox(box)}: "${args[0]}" is shared by every device in the Live set: name it ${DEVICE_LOCAL_PREFIX}${args[0]}`);
  }
  const ioOf = NEWOBJ_CLASSES[className];
  if (!ioOf) {
    problems.push(`${describeBox(box)}: unknown object class "${className}" (not in m4l-device/patch/object-classes.ts)`);
    return undefined;
  }
  return ioOf(args);
}

function checkParameter(box: MaxBox, problems: string[]): string | undefined {
  const name = describeBox(box);
  const v = box.saved_attribute_attributes?.valueof;
  if (!v) {
    problems.push(`${name}: parameter has no saved_attribute_attributes.valueof`);
    return undefined;
  }
  const longName = v.parameter_longname;
  const shortName = v.parameter_shortname;
  const type = v.parameter_type;
  if (typeof longName !== 'string' || longName === '') problems.push(`${name}: parameter has no long name`);
  if (typeof shortName !== 'string' || shortName === '') problems.push(`${name}: parameter has no short name`);
  if (type === PARAMETER_TYPE.enum) {
    const items = v.parameter_enum;
    if (!Array.isArray(items) || items.length === 0) problems.push(`${name}: enum parameter has no items (parameter_enum)`);
  } else if (type === PARAMETER_TYPE.float || type === PARAMETER_TYPE.int) {
    const { parameter_mmin: min, parameter_mmax: max } = v;
    if (typeof min !== 'number' || typeof max !== 'number' || !(min < max)) {
      problems.push(`${name}: parameter range ${String(min)}..${String(max)} is missing or empty (set parameter_mmin < parameter_mmax)`);
    }
  } else {
    problems.push(`${name}: parameter type ${String(type)} is not float (0), int (1) or enum (2)`);
  }
  return typeof longName === 'string' && longName !== '' ? longName : undefined;
}

function checkDevice(patcher: Record<string, unknown>, problems: string[]): void {
  const project = patcher.project as { amxdtype?: unknown } | undefined;
  if (project?.amxdtype !== AMXD_TYPE_AUDIO_EFFECT) problems.push(`patcher: project.amxdtype is ${String(project?.amxdtype)}, expected ${AMXD_TYPE_AUDIO_EFFECT} (audio effect)`);
  if (patcher.openinpresentation !== 1) problems.push('patcher: openinpresentation must be 1 so Live shows the device view');
  const openrect = patcher.openrect;
  if (!Array.isArray(openrect) || openrect[3] !== DEVICE_HEIGHT) problems.push(`patcher: openrect height must be ${DEVICE_HEIGHT} px`);
}

/** Every problem with the patch; an empty list means it is valid. */
export function findProblems(document: unknown, context: ValidateContext): string[] {
  const parsed = documentSchema.safeParse(document);
  if (!parsed.success) {
    return parsed.error.issues.map((i) => `patcher JSON: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  const patcher = parsed.data.patcher as unknown as MaxPatcher;
  const problems: string[] = [];
  checkDevice(patcher, problems);

  const boxes = new Map<string, { box: MaxBox; io: ObjectIo | undefined }>();
  const longNames = new Map<string, string>();
  for (const { box } of patcher.boxes) {
    if (boxes.has(box.id)) {
      problems.push(`${describeBox(box)}: id ${box.id} is also used by ${describeBox(boxes.get(box.id)!.box)}: ids must be unique`);
      continue;
    }
    const io = expectedIo(box, context, problems);
    boxes.set(box.id, { box, io });
    if (io) {
      const types = box.outlettype ?? [];
      if (box.numinlets !== io.inlets || box.numoutlets !== io.outlettype.length || JSON.stringify(types) !== JSON.stringify(io.outlettype)) {
        problems.push(
          `${describeBox(box)}: saved with ${box.numinlets} inlets / outlets ${JSON.stringify(types)}, but its class has ${io.inlets} inlets / outlets ${JSON.stringify(io.outlettype)}`,
        );
      }
    }
    if (box.parameter_enable === 1) {
      const longName = checkParameter(box, problems);
      if (longName !== undefined) {
        const other = longNames.get(longName);
        if (other) problems.push(`${describeBox(box)}: parameter long name "${longName}" is also used by ${other}`);
        else longNames.set(longName, describeBox(box));
      }
    }
  }

  for (const { patchline } of patcher.lines) {
    const [fromId, outlet] = patchline.source;
    const [toId, inlet] = patchline.destination;
    const from = boxes.get(fromId);
    const to = boxes.get(toId);
    const cord = `cord ${fromId}:${outlet} → ${toId}:${inlet}`;
    if (!from) problems.push(`${cord}: source box ${fromId} does not exist`);
    if (!to) problems.push(`${cord}: destination box ${toId} does not exist`);
    if (!from?.io || !to?.io) continue;
    if (outlet >= from.io.outlettype.length) problems.push(`${cord}: ${describeBox(from.box)} has no outlet ${outlet} (it has ${from.io.outlettype.length})`);
    if (inlet >= to.io.inlets) problems.push(`${cord}: ${describeBox(to.box)} has no inlet ${inlet} (it has ${to.io.inlets})`);
    const toClass = to.box.maxclass === 'newobj' ? parseObjectText(to.box.text ?? '').className : to.box.maxclass;
    if (from.io.outlettype[outlet] === 'signal' && !SIGNAL_INLET_CLASSES.has(toClass)) {
      problems.push(`${cord}: signal from ${describeBox(from.box)} into ${describeBox(to.box)}, which takes no signals`);
    }
  }

  for (const released of context.releasedLongNames) {
    if (!longNames.has(released)) {
      problems.push(`parameter "${released}" was released and is gone: long names never change (Live stores automation by them); restore it`);
    }
  }

  const dependencies = (patcher.dependency_cache ?? []) as { name?: unknown }[];
  for (const dep of dependencies) {
    if (typeof dep.name === 'string' && !existsSync(join(context.distDir, dep.name))) {
      problems.push(`dependency ${dep.name} is not in ${context.distDir}: run npm run build:device`);
    }
  }
  return problems;
}

/** Throws a PatchValidationError listing every problem. */
export function assertValidPatch(document: unknown, context: ValidateContext): void {
  const problems = findProblems(document, context);
  if (problems.length > 0) throw new PatchValidationError(problems);
}
