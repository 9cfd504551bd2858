/** Listeners by name; a listener that throws is reported and does not stop the others. */
export function createEmitter() {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  return {
    on(name: string, listener: (payload: unknown) => void): () => void {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    emit(name: string, payload: unknown): void {
      for (const listener of listeners.get(name) ?? []) {
        try {
          listener(payload);
        } catch (error) {
          console.error(`LiveBlend: a "${name}" listener failed`, error);
        }
      }
    },
  };
}
