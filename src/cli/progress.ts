/** A one-line progress bar, drawn only when the stream is a terminal. */
export interface Progress {
  update(fraction: number, detail?: string): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, label: string): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = '';
  return {
    update(fraction, detail = '') {
      const width = 30;
      const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${detail}`;
      const clipped = line.slice(0, (stream.columns ?? 100) - 1);
      if (clipped !== last) stream.write(`\r\x1b[2K${clipped}`);
      last = clipped;
    },
    done() {
      stream.write('\r\x1b[2K');
    },
  };
}
