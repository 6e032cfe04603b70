import type { StrataApi } from '../../shared/client.ts';
import type { ChangeEvent } from '../../shared/contract.ts';

/**
 * Refreshes a view's data from the store's change events (this app's and other processes', see
 * docs/events.md), once per burst: a load or a prune announces many changes at once. The data is
 * replaced in place, so selection, scroll and open details stay. Returns the unsubscribe.
 */
export function refreshOnChange(api: StrataApi, matters: (e: ChangeEvent) => boolean, refresh: () => unknown, delayMs = 150): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const off = api.onChange((e) => {
    if (!matters(e)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), delayMs);
  });
  return () => {
    clearTimeout(timer);
    off();
  };
}
