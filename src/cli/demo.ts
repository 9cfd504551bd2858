import { parseArgs } from 'node:util';
import { startRig } from '../../m4l-device/sim/rig';
import { demoSongs } from '../../m4l-device/sim/songs';
import { DEFAULT_DISCOVERY_PORT } from '../shared/osc-protocol';
import { UsageError, parseNumberOption, type CliIo } from './io';

export const DEMO_HELP = `Usage: liveblend demo --headless [options]

Runs the demo rig: a simulated Live set with three LiveBlend devices (a FOH bus, a click and an
IEM device) playing five generated songs in a loop. The devices announce themselves to the
discovery port exactly as devices in a real Live set do, so a panel finds them on its own.

Options:
  --headless               run without a window (required: the rig has no UI of its own)
  --discovery-port <P>     where the devices say hello (default ${DEFAULT_DISCOVERY_PORT})
  --speed <X>              simulated time per real second (default 1; up to 100)
  --song-seconds <S>       length of each song (default 180)
  --no-link                do not join Ableton Link
  -h, --help               show this help
`;

export async function runDemo(argv: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    allowNegative: true,
    options: {
      headless: { type: 'boolean', default: false },
      'discovery-port': { type: 'string' },
      speed: { type: 'string' },
      'song-seconds': { type: 'string' },
      link: { type: 'boolean', default: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(DEMO_HELP);
    return 0;
  }
  if (!values.headless) throw new UsageError('the demo rig runs headless only: add --headless (and open a panel with `liveblend serve`)');
  const port = values['discovery-port'] === undefined ? DEFAULT_DISCOVERY_PORT : parseNumberOption('discovery-port', values['discovery-port'], 1, 65535);
  if (!Number.isInteger(port)) throw new UsageError(`--discovery-port ${values['discovery-port']}: expected a whole number`);
  const speed = values.speed === undefined ? 1 : parseNumberOption('speed', values.speed, 0.1, 100);
  const songSeconds = values['song-seconds'] === undefined ? 180 : parseNumberOption('song-seconds', values['song-seconds'], 35, 900, 's');

  const rig = startRig({
    speed,
    discoveryPort: port,
    link: values.link,
    autoplay: true,
    songs: demoSongs(songSeconds),
    onPost: (device, level, text) => {
      if (level !== 'info') io.stderr.write(`[${device}] ${level}: ${text}\n`);
    },
  });
  io.stdout.write(`liveblend demo: ${rig.devices.size} devices announcing to 127.0.0.1:${port} at ${speed}× speed${values.link ? ', joined Ableton Link' : ''}. Ctrl-C to stop.\n`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  io.stdout.write('liveblend demo: stopping\n');
  await rig.close();
  return 0;
}
