/**
 * The patch as data: boxes and cords as the description writes them, and the shapes of the
 * Max patcher JSON they become (DESIGN.md §4). The validator works on the JSON, so a patch read
 * back from a built .amxd is checked exactly like one just described.
 */

export type Rect = readonly [x: number, y: number, width: number, height: number];

/** Live parameter types as Max stores them in `parameter_type`. */
export const PARAMETER_TYPE = { float: 0, int: 1, enum: 2, blob: 3 } as const;

/** `parameter_unitstyle` values used here (Max's live.* unit styles). */
export const UNIT_STYLE = { float: 1, decibel: 4, custom: 9, native: 10 } as const;

/** `parameter_invisible`: 0 automatable and stored, 1 stored only, 2 hidden (neither). */
export const PARAMETER_VISIBILITY = { automated: 0, storedOnly: 1, hidden: 2 } as const;

export interface RangeParam {
  kind: 'range';
  /** Key node receives in `param <key> <value>`; never shown to the user. */
  key: string;
  longName: string;
  shortName: string;
  min: number;
  max: number;
  initial: number;
  unitStyle: (typeof UNIT_STYLE)[keyof typeof UNIT_STYLE];
  visibility: (typeof PARAMETER_VISIBILITY)[keyof typeof PARAMETER_VISIBILITY];
}

export interface EnumParam {
  kind: 'enum';
  key: string;
  longName: string;
  shortName: string;
  items: readonly string[];
  initial: number;
  visibility: (typeof PARAMETER_VISIBILITY)[keyof typeof PARAMETER_VISIBILITY];
}

export type ParamSpec = RangeParam | EnumParam;

/** One box of the description. `text` is the object text for `newobj` and `message` boxes. */
export interface BoxSpec {
  id: string;
  maxclass: string;
  text?: string;
  rect: Rect;
  /** Position in the device view; boxes without one stay in the patching view only. */
  presentation?: Rect;
  param?: ParamSpec;
  /** Further Max attributes written as they are (colours, fonts, saved_object_attributes…). */
  attrs?: Record<string, unknown>;
  /** Embedded patcher (gen~ only): the GenExpr code of its codebox. */
  genCode?: string;
}

export interface CordSpec {
  from: readonly [id: string, outlet: number];
  to: readonly [id: string, inlet: number];
}

export interface PatchSpec {
  boxes: BoxSpec[];
  cords: CordSpec[];
  /** Device view size; Live shows devices 169 px high. */
  width: number;
  height: number;
  /** Files the patch loads from its folder (scripts, the guide patcher). */
  dependencies: string[];
}

/** A box as it sits in patcher JSON (only the fields the validator reads are typed). */
export interface MaxBox {
  id: string;
  maxclass: string;
  text?: string;
  numinlets: number;
  numoutlets: number;
  outlettype?: string[];
  patcher?: MaxPatcher;
  code?: string;
  parameter_enable?: number;
  saved_attribute_attributes?: { valueof?: Record<string, unknown> };
  [key: string]: unknown;
}

export interface MaxLine {
  source: [string, number];
  destination: [string, number];
  [key: string]: unknown;
}

export interface MaxPatcher {
  boxes: { box: MaxBox }[];
  lines: { patchline: MaxLine }[];
  [key: string]: unknown;
}
