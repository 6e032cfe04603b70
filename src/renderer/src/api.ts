/**
 * The one `api` object views and stores use. In Electron the preload put the contract's transport
 * on `window.strata`; in the browser host we open a WebSocket to our own origin. Same type either
 * way. Tests install an api over an in-process transport with `setApi`.
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

/**
 * The browser host's access token: handed over once in the URL's fragment (`#token=…`), then
 * kept in this origin's sessionStorage (which, unlike cookies, is per port) and dropped from the
 * address bar. The WebSocket needs it besides the cookie.
 */
function hostToken(): string {
  const given = /(?:^#|&)token=([0-9a-f]+)/.exec(location.hash)?.[1];
  if (given) {
    sessionStorage.setItem('strata-host-token', given);
    history.replaceState(history.state, '', location.pathname + location.search);
  }
  return sessionStorage.getItem('strata-host-token') ?? '';
}

export function useApi(): StrataApi {
  if (!current) {
    const transport = window.strata ?? webSocketTransport(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(hostToken())}`);
    current = createApi(transport);
  }
  return current;
}
