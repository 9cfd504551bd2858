import { access } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MAX_WS_MESSAGE_BYTES, type PairingInfo } from '../shared/api';
import { DEFAULT_DISCOVERY_PORT } from '../shared/osc-protocol';
import { createPairingToken, lanAddresses, pairingUrl } from '../main/core/pairing';
import { RemoteServer } from '../main/core/remote-server';
import { startCore, type RunningCore } from '../main/core/start-core';
import { attachWsClient } from '../main/core/ws-transport';
import { UsageError, type CliIo } from './io';

export const SERVE_HELP = `Usage: liveblend serve [options]

Runs the panel without Electron: the core, the panel over HTTP and its API over a WebSocket.
Open the printed URL in a browser. Loopback only unless --lan is given.

Options:
  --port <P>             HTTP port for the panel (default ${9340}; 0 picks a free one)
  --discovery-port <P>   UDP port devices announce themselves on (default ${DEFAULT_DISCOVERY_PORT})
  --lan                  serve the local network too (tablet at FOH); prints a pairing QR code,
                         and every connection must carry its token
  --demo                 also start the simulated rig (devices playing a demo set)
  --show <file>          show file to open (created if missing; default ~/.liveblend/shows/My Show.liveblend.json)
  --no-link              do not join the Ableton Link session
  -h, --help             show this help
`;

export const DEFAULT_HTTP_PORT = 9340;
const PANEL_ROOT = fileURLToPath(new URL('../../out/renderer', import.meta.url));

export interface ServeOptions {
  port: number;
  discoveryPort: number;
  lan: boolean;
  demo: boolean;
  showPath?: string;
  link: boolean;
  /** Overrides for tests: where the panel and the data live. */
  staticRoot?: string;
  dataDir?: string;
}

export interface RunningServe {
  url: string;
  pairing: PairingInfo | null;
  server: RemoteServer;
  core: RunningCore;
  close(): Promise<void>;
}

function parsePort(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--${name} ${value}: expected a port number from 0 to 65535`);
  return port;
}

export function parseServeArgs(argv: string[]): ServeOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    allowNegative: true,
    options: {
      port: { type: 'string' },
      'discovery-port': { type: 'string' },
      lan: { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
      show: { type: 'string' },
      link: { type: 'boolean', default: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}': serve takes only options`);
  const port = parsePort('port', values.port, DEFAULT_HTTP_PORT);
  const discoveryPort = parsePort('discovery-port', values['discovery-port'], DEFAULT_DISCOVERY_PORT);
  if (port !== 0 && port === discoveryPort) throw new UsageError(`--port and --discovery-port are both ${port}: pick two different ports`);
  return { port, discoveryPort, lan: values.lan, demo: values.demo, showPath: values.show, link: values.link };
}

/** Starts the headless panel; the caller decides when to close it (a signal, or a test's afterEach). */
export async function startServe(options: ServeOptions, io: CliIo): Promise<RunningServe> {
  const host = options.lan ? '0.0.0.0' : '127.0.0.1';
  const token = options.lan ? createPairingToken() : undefined;
  const dataDir = options.dataDir ?? (options.demo && !options.showPath ? await mkdtemp(join(tmpdir(), 'liveblend-demo-')) : undefined);
  // The simulator loads while the core starts, and the rig starts as soon as the hub listens: its
  // devices take longest to come up, and the panel shows no songs until one has announced itself.
  const demoModule = options.demo ? import('./serve-demo') : null;
  // Awaited once the core is up, which reports a failure to load it; if the core fails first, that is the error to show.
  demoModule?.catch(() => undefined);
  const settings = { network: options.lan ? ('lan' as const) : ('loopback' as const), pairing: null as PairingInfo | null, discoveryPort: options.discoveryPort, theme: 'dark' as const };
  const core = await startCore({
    app: { version: process.env.npm_package_version ?? '0.1.0', shell: 'serve', demo: options.demo },
    settings,
    discoveryHost: host,
    dataDir,
    showPath: options.showPath,
    link: options.link,
    onProblem: (message) => io.stderr.write(`liveblend serve: ${message}\n`),
  });
  let stopRig: (() => Promise<void>) | null = null;
  if (demoModule) {
    try {
      stopRig = await (await demoModule).startDemoRigFor(core.hub.port, io, options.link);
    } catch (error) {
      await core.close();
      throw error;
    }
  }
  const server = new RemoteServer({
    host,
    port: options.port,
    staticRoot: options.staticRoot ?? PANEL_ROOT,
    token,
    maxMessageBytes: MAX_WS_MESSAGE_BYTES,
    onSocket: (socket) => attachWsClient(socket, core.core, transportStats),
  });
  settings.discoveryPort = core.hub.port;
  const transportStats = { malformed: 0, failed: 0 };
  server.on('refused', ({ kind, reason, remoteAddress }) => io.stderr.write(`liveblend serve: refused ${kind} from ${remoteAddress} (${reason}); ${server.refusedTotal} refused so far\n`));
  server.on('failure', (error) => io.stderr.write(`liveblend serve: ${error.message}\n`));
  try {
    await server.listen();
  } catch (error) {
    await stopRig?.();
    await core.close();
    throw new Error(`cannot serve the panel on ${host}:${options.port}: ${(error as Error).message}`);
  }
  const localUrl = `http://127.0.0.1:${server.port}/`;
  let pairing: PairingInfo | null = null;
  if (token) {
    const { pairingQrSvg, pairingQrTerminal } = await import('../main/core/pairing-qr');
    const address = lanAddresses()[0] ?? '127.0.0.1';
    const url = pairingUrl(address, server.port, token);
    pairing = { url, qrSvg: await pairingQrSvg(url) };
    settings.pairing = pairing;
    io.stdout.write(`Pair a tablet on the same network: scan this code or open ${url}\n${await pairingQrTerminal(url)}\n`);
    io.stdout.write(`On this machine: ${pairingUrl('127.0.0.1', server.port, token)}\nThe token is shown only now; restart to get a new one.\n`);
  } else {
    io.stdout.write(`LiveBlend panel: ${localUrl}\n`);
  }
  if (!(await exists(join(options.staticRoot ?? PANEL_ROOT, 'index.html')))) {
    io.stderr.write('liveblend serve: the panel is not built yet (no out/renderer/index.html): run `npm run build` once; the API is served meanwhile.\n');
  }
  return {
    url: localUrl,
    pairing,
    server,
    core,
    async close() {
      await stopRig?.();
      await server.close();
      await core.close();
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function runServe(argv: string[], io: CliIo): Promise<number> {
  const options = parseServeArgs(argv);
  if (options === 'help') {
    io.stdout.write(SERVE_HELP);
    return 0;
  }
  const running = await startServe(options, io);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  io.stdout.write('liveblend serve: stopping\n');
  await running.close();
  return 0;
}
