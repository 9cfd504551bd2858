/**
 * Turns a patch description into Max patcher JSON (DESIGN.md §4): boxes get their inlet and
 * outlet counts from the object-class table (gen~ and js from their code), live.* boxes get
 * their parameter attributes as Max saves them, gen~ boxes embed a `dsp.gen` patcher with the
 * kernel in a codebox wired to `in N` / `out N` boxes. Keys are written in a fixed order and
 * nothing depends on time or machine, so the same description always gives the same text.
 */
import { AMXD_TYPE_AUDIO_EFFECT } from './amxd';
import { genIo, jsIo } from './code-io';
import { NEWOBJ_CLASSES, UI_CLASSES, parseObjectText, type ObjectIo } from './object-classes';
import { PARAMETER_TYPE, type BoxSpec, type ParamSpec, type PatchSpec, type Rect } from './types';

const APP_VERSION = { major: 8, minor: 6, revision: 5, architecture: 'x64', modernui: 1 };

/** Scripts by file name, so [js] boxes get the inlet/outlet counts their script declares. */
export interface WriteContext {
  scripts: Readonly<Record<string, string>>;
}

const repeat = (n: number, type: string): string[] => Array.from({ length: n }, () => type);

/** Inlets and outlet types of a box, from the table or from its code. */
export function boxIo(spec: BoxSpec, context: WriteContext): ObjectIo {
  if (spec.maxclass !== 'newobj') {
    const io = UI_CLASSES[spec.maxclass];
    if (!io) throw new Error(`box ${spec.id} [${spec.maxclass}]: no inlet/outlet entry for this class in m4l-device/patch/object-classes.ts`);
    return io;
  }
  const { className, args } = parseObjectText(spec.text ?? '');
  if (className === 'gen~') {
    const io = genIo(spec.genCode ?? '');
    return { inlets: Math.max(io.ins, 1), outlettype: repeat(io.outs, 'signal') };
  }
  if (className === 'js') {
    const script = context.scripts[args[0] ?? ''];
    if (script === undefined) throw new Error(`box ${spec.id} [${spec.text}]: script ${args[0]} was not given to the writer`);
    const io = jsIo(script);
    return { inlets: io.inlets, outlettype: repeat(io.outlets, '') };
  }
  const ioOf = NEWOBJ_CLASSES[className];
  if (!ioOf) throw new Error(`box ${spec.id} [${spec.text}]: unknown object class "${className}" (add it to m4l-device/patch/object-classes.ts with its real inlet/outlet counts)`);
  return ioOf(args);
}

function parameterAttributes(param: ParamSpec): Record<string, unknown> {
  const common = {
    parameter_longname: param.longName,
    parameter_shortname: param.shortName,
    parameter_invisible: param.visibility,
    parameter_initial: [param.initial],
    parameter_initial_enable: 1,
  };
  if (param.kind === 'enum') {
    return { ...common, parameter_type: PARAMETER_TYPE.enum, parameter_enum: [...param.items], parameter_mmax: param.items.length - 1 };
  }
  return { ...common, parameter_type: PARAMETER_TYPE.float, parameter_mmin: param.min, parameter_mmax: param.max, parameter_unitstyle: param.unitStyle };
}

/** The `dsp.gen` patcher inside a gen~ box: one codebox between `in N` and `out N` boxes. */
function genPatcher(code: string): Record<string, unknown> {
  const { ins, outs } = genIo(code);
  const inBoxes = Array.from({ length: ins }, (_, k) => ({
    box: { id: `in${k + 1}`, maxclass: 'newobj', text: `in ${k + 1}`, numinlets: 0, numoutlets: 1, outlettype: [''], patching_rect: [20 + 120 * k, 20, 40, 22] },
  }));
  const outBoxes = Array.from({ length: outs }, (_, k) => ({
    box: { id: `out${k + 1}`, maxclass: 'newobj', text: `out ${k + 1}`, numinlets: 1, numoutlets: 0, patching_rect: [20 + 120 * k, 620, 46, 22] },
  }));
  const codebox = {
    box: {
      id: 'code',
      maxclass: 'codebox',
      code,
      fontface: 0,
      fontname: 'Menlo',
      fontsize: 12,
      numinlets: ins,
      numoutlets: outs,
      outlettype: repeat(outs, ''),
      patching_rect: [20, 60, 860, 540],
    },
  };
  const lines = [
    ...inBoxes.map((_, k) => ({ patchline: { source: [`in${k + 1}`, 0], destination: ['code', k] } })),
    ...outBoxes.map((_, k) => ({ patchline: { source: ['code', k], destination: [`out${k + 1}`, 0] } })),
  ];
  return {
    fileversion: 1,
    appversion: APP_VERSION,
    classnamespace: 'dsp.gen',
    rect: [100, 100, 900, 700],
    boxes: [...inBoxes, codebox, ...outBoxes],
    lines,
  };
}

function rect(r: Rect): number[] {
  return [...r];
}

function boxJson(spec: BoxSpec, context: WriteContext): { box: Record<string, unknown> } {
  const io = boxIo(spec, context);
  const box: Record<string, unknown> = {
    id: spec.id,
    maxclass: spec.maxclass,
    numinlets: io.inlets,
    numoutlets: io.outlettype.length,
  };
  if (io.outlettype.length > 0) box.outlettype = io.outlettype;
  if (spec.text !== undefined) box.text = spec.text;
  box.patching_rect = rect(spec.rect);
  if (spec.presentation) {
    box.presentation = 1;
    box.presentation_rect = rect(spec.presentation);
  }
  if (spec.genCode !== undefined) box.patcher = genPatcher(spec.genCode);
  if (spec.param) {
    box.parameter_enable = 1;
    box.varname = spec.param.key;
    box.saved_attribute_attributes = { valueof: parameterAttributes(spec.param) };
  }
  Object.assign(box, spec.attrs);
  return { box };
}

/** The `parameters` index Max keeps beside the boxes: box id → [long name, short name, 0]. */
function parameterIndex(spec: PatchSpec): Record<string, unknown> {
  const index: Record<string, unknown> = {};
  for (const box of spec.boxes) if (box.param) index[box.id] = [box.param.longName, box.param.shortName, 0];
  return { ...index, inherited_shortname: 1 };
}

/** The top-level patcher object of the device (what the .amxd `ptch` chunk and the .maxpat hold). */
export function toPatcher(spec: PatchSpec, context: WriteContext): Record<string, unknown> {
  return {
    fileversion: 1,
    appversion: APP_VERSION,
    classnamespace: 'box',
    rect: [80, 80, 1480, 980],
    openrect: [0, 0, spec.width, spec.height],
    openinpresentation: 1,
    default_fontsize: 10,
    default_fontface: 0,
    default_fontname: 'Arial Bold',
    gridonopen: 1,
    gridsize: [8, 8],
    devicewidth: spec.width,
    description: 'LiveBlend: per-song trim, EQ, dynamics and loudness metering for backing tracks',
    latency: 0,
    is_mpe: 0,
    project: {
      version: 1,
      creationdate: 0,
      modificationdate: 0,
      viewrect: [0, 0, 300, 500],
      autoorganize: 1,
      hideprojectwindow: 1,
      showdependencies: 1,
      autolocalize: 0,
      contents: { patchers: {} },
      layout: {},
      searchpath: {},
      detailsvisible: 0,
      amxdtype: AMXD_TYPE_AUDIO_EFFECT,
      readonly: 0,
      devpathtype: 0,
      devpath: '.',
      sortmode: 0,
      viewmode: 0,
      includepackages: 0,
    },
    boxes: spec.boxes.map((b) => boxJson(b, context)),
    lines: spec.cords.map((c) => ({ patchline: { source: [...c.from], destination: [...c.to] } })),
    parameters: parameterIndex(spec),
    dependency_cache: spec.dependencies.map((name) => ({ name, bootpath: '.', patcherrelativepath: '.', type: name.endsWith('.maxpat') ? 'JSON' : 'TEXT', implicit: 1 })),
    autosave: 0,
  };
}

/** Patcher JSON text as Max writes it: tab-indented, one document with a `patcher` key. */
export function patcherText(patcher: Record<string, unknown>): string {
  return JSON.stringify({ patcher }, null, '\t');
}
