/**
 * A tiny runner for the control-rate part of a patch description: enough of Max's message
 * semantics (gate, trigger, i, +, split, zl.join, prepend, coll, route, live.dial, message boxes) to send
 * messages through the ready gate and see what node.script receives, in order. Objects it does
 * not model throw, so a change to the gate's wiring cannot pass unnoticed.
 */
import { parseObjectText } from '../../../m4l-device/patch/object-classes';
import type { BoxSpec, PatchSpec } from '../../../m4l-device/patch/types';

export type Atom = string | number;
export type Message = Atom[];

const atoms = (text: string): Message => text.split(/\s+/).filter((w) => w !== '').map((w) => (/^-?\d+(\.\d*)?$/.test(w) ? Number(w) : w));

export class MessageFlow {
  /** Messages that reached node.script's inlet, in arrival order. */
  readonly toNode: Message[] = [];
  private readonly state = new Map<string, unknown>();

  constructor(private readonly spec: PatchSpec) {}

  /** What a live.dial shows now (undefined before anything set it). */
  shown(id: string): number | undefined {
    return this.state.get(id) as number | undefined;
  }

  send(id: string, inlet: number, message: Message): void {
    const box = this.spec.boxes.find((b) => b.id === id);
    if (!box) throw new Error(`no box ${id}`);
    for (const [outlet, out] of this.run(box, inlet, message)) {
      for (const cord of this.spec.cords) if (cord.from[0] === id && cord.from[1] === outlet) this.send(cord.to[0], cord.to[1], out);
    }
  }

  private run(box: BoxSpec, inlet: number, message: Message): [number, Message][] {
    if (box.maxclass === 'message') return [[0, atoms(box.text ?? '')]];
    const { className, args } = box.maxclass === 'newobj' ? parseObjectText(box.text ?? '') : { className: box.maxclass, args: [] };
    const get = <T>(init: T): T => (this.state.has(box.id) ? (this.state.get(box.id) as T) : init);
    const set = (value: unknown) => this.state.set(box.id, value);
    switch (className) {
      case 'node.script':
        this.toNode.push(message);
        return [];
      case 'gate': {
        const open = get(Number(args[1] ?? 0));
        if (inlet === 0) return (set(Number(message[0])), []);
        return open > 0 ? [[open - 1, message]] : [];
      }
      case 't':
        return args
          .map((letter, k): [number, Message] => [k, letter === 'b' ? ['bang'] : letter === 'i' ? [Math.trunc(Number(message[0]))] : message])
          .reverse();
      case 'i': {
        if (inlet === 1) return (set(Number(message[0])), []);
        if (message[0] !== 'bang') set(Number(message[0]));
        return [[0, [get(0)]]];
      }
      case '+': {
        if (inlet === 1) return (set(Number(message[0])), []);
        return [[0, [Number(message[0]) + get(Number(args[0] ?? 0))]]];
      }
      case 'split': {
        const n = Number(message[0]);
        return [[n >= Number(args[0]) && n <= Number(args[1]) ? 0 : 1, message]];
      }
      case 'zl.join':
        if (inlet === 1) return (set(message), []);
        return [[0, [...message, ...get<Message>([])]]];
      case 'prepend':
        return [[0, [...atoms(args.join(' ')), ...message]]];
      case 'coll': {
        const items = get(new Map<number, Message>());
        set(items);
        if (message[0] === 'store') return (items.set(Number(message[1]), message.slice(2)), []);
        if (message[0] === 'clear') return (items.clear(), []);
        if (message[0] === 'dump') return [...items.keys()].sort((a, b) => a - b).map((k): [number, Message] => [0, items.get(k)!]);
        throw new Error(`coll: message ${message.join(' ')} not modelled`);
      }
      case 'route': {
        const k = args.indexOf(String(message[0]));
        if (k === -1) return [[args.length, message]];
        return [[k, message.length > 1 ? message.slice(1) : ['bang']]];
      }
      case 'live.dial': {
        // `set` changes what the dial shows without output; a value (the user turning it) goes out.
        if (message[0] === 'set') return (set(Number(message[1])), []);
        set(Number(message[0]));
        return [[0, [Number(message[0])]]];
      }
      default:
        throw new Error(`box ${box.id} [${box.text}]: ${className} is not modelled by the message-flow runner`);
    }
  }
}
