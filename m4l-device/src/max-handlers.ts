import type { DeviceCore } from './device-core';
import type { MaxMessage } from './max-protocol';

export interface MaxHandlerHooks {
  setDiscoveryPort(port: number): void;
  /** A request refused by the core (learn with nothing measured): shown to the user, not thrown. */
  report(text: string): void;
}

/** Forwards one parsed Max message to the core. */
export function applyMaxMessage(core: DeviceCore, message: MaxMessage, hooks: MaxHandlerHooks): void {
  switch (message.selector) {
    case 'live_ready':
      return core.liveReady();
    case 'set_name':
      return core.setSetName(message.args);
    case 'track':
      return core.setTrack(message.args.index, message.args.name);
    case 'routing':
      return core.setRouting(message.args);
    case 'scenes':
      return core.setScenes(message.args);
    case 'scene_triggered':
      return core.sceneTriggered(message.args[0]);
    case 'playing_slot':
      return core.playingSlot(message.args[0], message.args[1]);
    case 'tempo':
      return core.setTempo(message.args[0]);
    case 'signature':
      return core.setSignature(message.args[0], message.args[1]);
    case 'playing':
      return core.setPlaying(message.args[0] === 1);
    case 'song_time':
      return core.setSongTime(message.args[0]);
    case 'cue_points':
      return core.setCuePoints(message.args);
    case 'samplerate':
      return core.setSampleRate(message.args[0]);
    case 'meter': {
      const [counter, energyL, energyR, samplePeak, truePeak, compressorGrDb, limiterGrDb] = message.args;
      return core.meter({ counter, energyL, energyR, samplePeak, truePeak, compressorGrDb, limiterGrDb });
    }
    case 'role':
      return core.setRole(message.args[0]);
    case 'param':
      return core.controlChanged(message.args);
    case 'learn_apply':
      try {
        core.applyLearned('');
      } catch (error) {
        hooks.report((error as Error).message);
      }
      return;
    case 'discovery_port':
      return hooks.setDiscoveryPort(message.args[0]);
  }
}
