/**
 * What the patch needs to know about code it embeds or loads: how many signal inputs and
 * outputs a GenExpr kernel uses and which Params it declares, and how many inlets and outlets
 * a Max [js] script asks for.
 */

export interface GenIo {
  /** Highest `inN` used (gen~ numbers them from 1 with no gaps). */
  ins: number;
  /** Highest `outN` assigned. */
  outs: number;
  /** `Param` names in declaration order. */
  params: string[];
}

/** GenExpr without `//` and `/* *\/` comments, so names in comments are not counted. */
function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

function highestIndex(code: string, prefix: 'in' | 'out'): number {
  let highest = 0;
  for (const match of code.matchAll(new RegExp(`\\b${prefix}(\\d+)\\b`, 'g'))) highest = Math.max(highest, Number(match[1]));
  return highest;
}

export function genIo(code: string): GenIo {
  const clean = stripComments(code);
  const params = [...clean.matchAll(/\bParam\s+([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  return { ins: highestIndex(clean, 'in'), outs: highestIndex(clean, 'out'), params };
}

/** Inlets and outlets a [js] script declares (`inlets = 2;`); Max gives one of each by default. */
export function jsIo(script: string): { inlets: number; outlets: number } {
  const clean = stripComments(script);
  const count = (name: string): number => {
    const match = new RegExp(`^\\s*${name}\\s*=\\s*(\\d+)\\s*;?`, 'm').exec(clean);
    return match ? Number(match[1]) : 1;
  };
  return { inlets: count('inlets'), outlets: count('outlets') };
}
