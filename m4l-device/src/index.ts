import { randomBytes } from 'node:crypto';
import maxApi from 'max-api';
import { DEFAULT_DISCOVERY_PORT } from '../../src/shared/osc-protocol';
import * as genParams from '../gen/params';
import { DeviceCore, type MaxAtom } from './device-core';
import { applyMaxMessage } from './max-handlers';
import { MAX_SELECTORS, parseMaxMessage } from './max-protocol';
import { OscEndpoint } from './osc-endpoint';
import { loadShowState, showStateToDict, STATE_DICT } from './show-state-store';
import { DEVICE_VERSION } from './version';

/**
 * The Node-for-Max entry: restores the show state from the Live set, registers a handler per
 * inbound message (m4l-device/MESSAGES.md) that parses it and forwards it to the device core,
 * starts the OSC endpoint and tells the patch it is ready. It posts only problems, so the Max
 * console stays silent on a normal load.
 */

function warn(text: string): void {
  void maxApi.post(`LiveBlend: ${text}`, maxApi.POST_LEVELS.WARN).catch(() => undefined);
}

function discoveryPortFromEnv(): number {
  const text = process.env.LIVEBLEND_DISCOVERY_PORT;
  if (text === undefined || text === '') return DEFAULT_DISCOVERY_PORT;
  const port = Number(text);
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  warn(`LIVEBLEND_DISCOVERY_PORT=${text} is not a port (1–65535); using ${DEFAULT_DISCOVERY_PORT}`);
  return DEFAULT_DISCOVERY_PORT;
}

async function main(): Promise<void> {
  const loaded = loadShowState(await maxApi.getDict(STATE_DICT).catch(() => ({})));
  if (loaded.problem) warn(`the show state saved in this set cannot be read (${loaded.problem}); starting with defaults, the saved state is kept until you change something`);

  const core = new DeviceCore({
    params: genParams,
    state: loaded.state,
    host: {
      outlet: (selector: string, ...args: MaxAtom[]) => void maxApi.outlet(selector, ...args).catch(() => undefined),
      persist: (state) => void maxApi.setDict(STATE_DICT, showStateToDict(state)).catch((error: Error) => warn(`show state not saved: ${error.message}`)),
    },
  });

  const endpoint = new OscEndpoint({
    core,
    deviceId: randomBytes(4).toString('hex'),
    version: DEVICE_VERSION,
    bindAddress: loaded.state.lan ? '0.0.0.0' : '127.0.0.1',
    discoveryPort: discoveryPortFromEnv(),
    log: warn,
  });

  const hooks = { setDiscoveryPort: (port: number) => endpoint.setDiscoveryPort(port), report: warn };
  maxApi.addHandlers(
    Object.fromEntries(
      MAX_SELECTORS.map((selector) => [
        selector,
        (...atoms: unknown[]) => {
          const parsed = parseMaxMessage(selector, atoms);
          if (!parsed.ok) return warn(`ignored ${parsed.reason}`);
          try {
            applyMaxMessage(core, parsed.message, hooks);
          } catch (error) {
            warn(`${selector} failed: ${(error as Error).message}`);
          }
        },
      ]),
    ),
  );

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    void endpoint.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.once('disconnect', shutdown);

  try {
    await endpoint.start();
  } catch (error) {
    // The device still plays without panels: recall and metering do not need the network.
    warn(`${(error as Error).message}; panels cannot reach this device`);
  }
  core.start();
}

main().catch((error: Error) => warn(`could not start: ${error.message}`));
