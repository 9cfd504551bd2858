/**
 * Collects items arriving at any rate and hands them over at most once per animation frame, so
 * meters from many devices cost one render per frame however fast they come.
 */
export function createFrameBatcher<T>(flush: (items: T[]) => void, requestFrame: (callback: () => void) => number, cancelFrame: (handle: number) => void) {
  let pending: T[] = [];
  let handle: number | null = null;
  return {
    push(items: readonly T[]): void {
      pending.push(...items);
      if (handle === null) {
        handle = requestFrame(() => {
          handle = null;
          const batch = pending;
          pending = [];
          flush(batch);
        });
      }
    },
    dispose(): void {
      if (handle !== null) cancelFrame(handle);
      handle = null;
      pending = [];
    },
  };
}
