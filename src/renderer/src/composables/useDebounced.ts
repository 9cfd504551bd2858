import { onScopeDispose } from 'vue';

/** Calls `fn` with the latest arguments once calls stop for `ms`; flush() sends a pending call now. */
export function useDebounced<A extends unknown[]>(fn: (...args: A) => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last: A | null = null;
  function flush(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (last) {
      const args = last;
      last = null;
      fn(...args);
    }
  }
  function call(...args: A): void {
    last = args;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(flush, ms);
  }
  onScopeDispose(flush);
  return { call, flush };
}
