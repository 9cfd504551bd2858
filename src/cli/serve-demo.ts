import type { CliIo } from './io';

/**
 * `serve --demo`: the simulator's demo rig, announcing itself to this panel's discovery port.
 * Kept in its own module so only --demo loads the simulator.
 */
export async function startDemoRigFor(discoveryPort: number, io: CliIo): Promise<() => Promise<void>> {
  const { startRig } = await import('../../m4l-device/sim/rig');
  const rig = startRig({ discoveryPort, autoplay: true });
  io.stdout.write(`Demo rig: ${rig.devices.size} simulated devices announcing to port ${discoveryPort}\n`);
  return () => rig.close();
}
