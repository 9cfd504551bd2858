import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isAudioPath } from '../main/audio';

const naturalOrder = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });

/**
 * Expands arguments into files in set order: files as given, folders searched recursively for
 * audio in natural order ("2 Song" before "10 Song"). Paths that do not exist are kept so the
 * report can say so next to the files that were measured.
 */
export async function collectAudioFiles(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (info?.isDirectory()) files.push(...(await walk(input)));
    else files.push(input);
  }
  return files;
}

async function walk(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => naturalOrder(a.name, b.name));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile() && isAudioPath(entry.name)) files.push(path);
  }
  return files;
}
