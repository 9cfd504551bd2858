import { onScopeDispose } from 'vue';
import type { MeterReading } from '../../../shared/api';
import { usePanelApi } from '../api/inject';
import { createFrameBatcher } from '../logic/frame-batcher';
import { useAnalysisStore } from '../stores/analysis';
import { useConnectionStore } from '../stores/connection';
import { useDevicesStore } from '../stores/devices';
import { useLearnStore } from '../stores/learn';
import { useLinkStore } from '../stores/link';
import { useLogStore } from '../stores/log';
import { useMetersStore } from '../stores/meters';
import { useSettingsStore } from '../stores/settings';
import { useShowStore } from '../stores/show';

export interface FrameScheduler {
  request: (callback: () => void) => number;
  cancel: (handle: number) => void;
}

const animationFrames: FrameScheduler = {
  request: (callback) => requestAnimationFrame(callback),
  cancel: (handle) => cancelAnimationFrame(handle),
};

/**
 * Wires the core to the stores for as long as the calling scope lives: every event to its
 * store, meters batched to one commit per animation frame, and a full reload of state each time
 * the connection opens, so a restarted core is picked up without reloading the page.
 */
export function usePanelSync(frames: FrameScheduler = animationFrames): { reload: () => Promise<void> } {
  const api = usePanelApi();
  const connection = useConnectionStore();
  const show = useShowStore();
  const devices = useDevicesStore();
  const meters = useMetersStore();
  const link = useLinkStore();
  const learn = useLearnStore();
  const analysis = useAnalysisStore();
  const log = useLogStore();
  const settings = useSettingsStore();

  const batcher = createFrameBatcher<MeterReading>((batch) => meters.commit(batch), frames.request, frames.cancel);

  async function reload(): Promise<void> {
    const results = await Promise.allSettled([show.load(), devices.load(), link.load(), learn.load(), analysis.load(), log.load(), settings.load()]);
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed.length) connection.reportError(`Some panel data did not load: ${(failed[0].reason as Error).message}`);
  }

  const unsubscribers = [
    api.on('show:changed', show.applyShow),
    api.on('loudness:changed', show.setLoudness),
    api.on('devices:changed', devices.setDevices),
    api.on('nowPlaying:changed', devices.setNowPlaying),
    api.on('meters:frame', (readings) => batcher.push(readings)),
    api.on('link:changed', link.setLink),
    api.on('learn:changed', learn.setProposals),
    api.on('analysis:changed', analysis.setState),
    api.on('log:appended', log.append),
    api.on('settings:changed', settings.setSettings),
    api.onConnectionChange((state) => {
      connection.setCore(state);
      if (state === 'open') void reload();
    }),
  ];

  connection.setCore(api.connectionState());
  if (api.connectionState() === 'open') void reload();

  onScopeDispose(() => {
    for (const unsubscribe of unsubscribers) unsubscribe();
    batcher.dispose();
  });

  return { reload };
}
