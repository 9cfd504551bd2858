import { OSC_ADDRESSES, type OscArg } from '../../src/shared/osc-protocol';

/**
 * The address reference of docs/osc.md, written from the protocol table. docs/osc.md keeps it
 * between the two markers below; tests/m4l/device/osc-doc.test.ts fails when the two differ and
 * rewrites it when run with UPDATE_OSC_DOC=1.
 */

export const REFERENCE_START = '<!-- osc-reference:start (generated from src/shared/osc-protocol.ts) -->';
export const REFERENCE_END = '<!-- osc-reference:end -->';

function argLine(args: readonly OscArg[]): string {
  if (args.length === 0) return 'none';
  return args.map((a) => `\`${a.name}\` (${a.tag}, ${a.range}): ${a.doc}`).join('; ');
}

export function renderOscReference(): string {
  const sections = OSC_ADDRESSES.map((spec) => {
    const lines = [`### \`${spec.address}\``, '', `${spec.direction}. ${spec.doc}`, '', `- Arguments: ${argLine(spec.args)}`];
    if (spec.reply && (spec.reply.args.length > 0 || spec.reply.address !== spec.address)) {
      lines.push(`- Reply on \`${spec.reply.address}\`: ${argLine(spec.reply.args)}`);
    }
    return lines.join('\n');
  });
  return [REFERENCE_START, '', ...sections.flatMap((s) => [s, '']), REFERENCE_END].join('\n');
}
