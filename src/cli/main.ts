import { runAnalyze } from './analyze';
import { runRender } from './render';
import { withUsageErrors, type CliIo } from './io';

const HELP = `Usage: liveblend <command> [options]

Commands:
  analyze <files or folders...>   measure songs (EBU R128) and propose per-song trims
  render <in> <out>               run a file through the per-song chain (EQ, compressor, limiter)

Run 'liveblend <command> --help' for a command's options.
`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  analyze: runAnalyze,
  render: runRender,
};

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help') {
    io.stdout.write(HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`liveblend: unknown command '${name}'\n\n${HELP}`);
    return 2;
  }
  return withUsageErrors(name, io, () => command(rest, io));
}
