/**
 * The one `api` object views and stores use. In Electron the preload put the contract's transport
 * on `window.strata`; in the browser host we open a WebSocket to our own origin. Same type either
 * way. Tests install their own api with `setApi`.
 */
import { createApi, webSocketTransport, type StrataApi } from '../../shared/client.ts';
import type { Transport } from '../../shared/contract.ts';

declare global {
  interface Window {
    strata?: Transport;
  }
}

let current: StrataApi | undefined;

export function setApi(api: StrataApi): void {
  current = api;
}

export function useApi(): StrataApi {
  if (!current) {
    const transport = window.strata ?? webSocketTransport(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    current = createApi(transport);
  }
  return current;
}
