/** A small helper for describing a patch in code: add boxes, connect them, get a PatchSpec. */
import type { BoxSpec, CordSpec, ParamSpec, PatchSpec, Rect } from './types';

export interface BoxOptions {
  presentation?: Rect;
  param?: ParamSpec;
  attrs?: Record<string, unknown>;
  genCode?: string;
}

/** Width Max gives an object box for its text (close enough for a readable patching view). */
const textWidth = (text: string): number => Math.max(40, 7 * text.length + 14);

export class PatchBuilder {
  private readonly boxes: BoxSpec[] = [];
  private readonly cords: CordSpec[] = [];

  /** An object box (`newobj`) at x, y. */
  obj(id: string, text: string, x: number, y: number, options: BoxOptions = {}): string {
    return this.add({ id, maxclass: 'newobj', text, rect: [x, y, textWidth(text), 22], ...options });
  }

  msg(id: string, text: string, x: number, y: number, options: BoxOptions = {}): string {
    return this.add({ id, maxclass: 'message', text, rect: [x, y, textWidth(text), 22], ...options });
  }

  /** A UI object (live.dial, comment, led…) of the given size. */
  ui(id: string, maxclass: string, x: number, y: number, width: number, height: number, options: BoxOptions = {}): string {
    return this.add({ id, maxclass, rect: [x, y, width, height], ...options });
  }

  connect(from: string, outlet: number, to: string, inlet: number): void {
    this.cords.push({ from: [from, outlet], to: [to, inlet] });
  }

  build(width: number, height: number, dependencies: string[]): PatchSpec {
    return { boxes: [...this.boxes], cords: [...this.cords], width, height, dependencies };
  }

  private add(spec: BoxSpec): string {
    this.boxes.push(spec);
    return spec.id;
  }
}
