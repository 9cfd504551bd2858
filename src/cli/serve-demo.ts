import type { CliIo } from './io';

/**
 * `serve --demo`: the simulator's demo rig, announcing itself to this panel's discovery port and,
 * when the panel uses Link, joining the Link session as Live would (so the panel shows a peer,
 * its tempo and bar). Kept in its own module so only --demo loads the simulator.
 */
export async function startDemoRigFor(discoveryPort: number, io: CliIo, link: boolean): Promise<() => Promise<void>> {
  const { startRig } = await import('../../m4l-device/sim/rig');
  const rig = startRig({ discoveryPort, autoplay: true, link });
  io.stdout.write(`Demo rig: ${rig.devices.size} simulated devices announcing to port ${discoveryPort}${link ? ', playing along on Ableton Link' : ''}\n`);
  return () => rig.close();
}
