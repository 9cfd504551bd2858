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
