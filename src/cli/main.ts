import { withUsageErrors, type CliIo } from './io';

const HELP = `Usage: liveblend <command> [options]

Commands:
  analyze <files or folders...>   measure songs (EBU R128) and propose per-song trims
  demo --headless                 run a simulated Live set with LiveBlend devices (no Live needed)
  link                            join the Ableton Link session and show tempo, peers, bar, play state
  render <in> <out>               run a file through the per-song chain (EQ, compressor, limiter)
  serve [--lan] [--demo]          run the panel in a browser (no Electron); --lan for a tablet at FOH

Run 'liveblend <command> --help' for a command's options.
`;

/** Each command loads only when it runs, so `liveblend serve` does not pay for the analyzer. */
type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  analyze: (argv, io) => import('./analyze').then((m) => m.runAnalyze(argv, io)),
  demo: (argv, io) => import('./demo').then((m) => m.runDemo(argv, io)),
  link: (argv, io) => import('./link').then((m) => m.runLink(argv, io)),
  render: (argv, io) => import('./render').then((m) => m.runRender(argv, io)),
  serve: (argv, io) => import('./serve').then((m) => m.runServe(argv, io)),
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
