import { open, type FileHandle } from 'node:fs/promises';
import { AudioFileError, REEXPORT_ADVICE, fileSystemError } from './errors';

/**
 * An open file with positional reads whose failures all come back as AudioFileError. Readers
 * share one handle; positional reads keep concurrent read() iterations independent.
 */
export class AudioFile {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<AudioFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw fileSystemError(path, error);
    }
    try {
      const stats = await handle.stat();
      // On Linux a directory opens fine and only fails on read, so check up front.
      if (stats.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      return new AudioFile(path, handle, stats.size);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw fileSystemError(path, error);
    }
  }

  /** Fills `target[0, length)` from `position`; returns how many bytes the file had (less at end of file). */
  async readInto(target: Uint8Array, length: number, position: number): Promise<number> {
    if (this.closed) {
      throw new AudioFileError('unreadable', this.path, 'the reader was closed while audio was still being read', 'open the file again');
    }
    let filled = 0;
    try {
      while (filled < length) {
        const { bytesRead } = await this.handle.read(target, filled, length - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
    } catch (error) {
      throw fileSystemError(this.path, error);
    }
    return filled;
  }

  /** Reads up to `length` bytes at `position` into a new array (shorter at end of file). */
  async readBytes(position: number, length: number): Promise<Uint8Array> {
    const bytes = new Uint8Array(Math.max(0, Math.min(length, this.size - position)));
    const filled = await this.readInto(bytes, bytes.length, position);
    return bytes.subarray(0, filled);
  }

  /** Reads exactly `length` header bytes; a file that ends inside a header is corrupt. */
  async readHeader(position: number, length: number, what: string): Promise<DataView> {
    const bytes = await this.readBytes(position, length);
    if (bytes.length < length) {
      throw new AudioFileError('corrupt', this.path, `file ends in the middle of the ${what}`, REEXPORT_ADVICE);
    }
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
