/** `npm run build:device`: builds m4l-device/dist/ from the sources in this checkout. */
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDevice, deviceSources, versionDefine } from '../patch/build-device';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

try {
  const { files, amxd } = await buildDevice({ ...deviceSources(root), define: versionDefine(root) });
  process.stdout.write(`build:device: wrote ${files.map((f) => relative(root, f)).join(', ')} (${amxd.length} bytes of .amxd)\n`);
} catch (error) {
  process.stderr.write(`build:device: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
