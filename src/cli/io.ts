/** Where a command writes; tests pass in-memory streams. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** Bad flags or arguments: exit code 2 with the message and a pointer to --help. */
export class UsageError extends Error {}

/**
 * parseArgs reads "--target -18" as two flags; loudness values are negative, so join a value
 * option with a following negative number ("--target=-18") before parsing.
 */
export function joinNegativeValues(argv: string[], valueOptions: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (valueOptions.includes(arg) && next !== undefined && /^[-−]\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** A numeric flag in a range; accepts the typographic minus people paste from documents. */
export function parseNumberOption(name: string, text: string, min: number, max: number, unit = ''): number {
  const value = Number(text.replace('−', '-'));
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    const of = unit ? ` of ${unit}` : '';
    throw new UsageError(`--${name} ${text}: expected a number${of} from ${min} to ${max}`);
  }
  return value;
}

function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

/**
 * Runs a command and turns what it throws into the exit code people and scripts expect:
 * 2 with a pointer to --help for bad usage, 1 with the message for anything else.
 */
export async function withUsageErrors(command: string, io: CliIo, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr.write(`liveblend ${command}: ${(error as Error).message}\nRun 'liveblend ${command} --help' for usage.\n`);
      return 2;
    }
    io.stderr.write(`liveblend ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
