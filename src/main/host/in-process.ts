/**
 * A Transport that talks to a HostSession in the same process: the contract without IPC, for
 * component tests that drive the real views against a real engine.
 */
import type { PushMessage, Transport } from '../../shared/contract.ts';
import type { Handlers } from './handlers.ts';
import { HostSession } from './session.ts';

export function inProcessTransport(handlers: Handlers): Transport & { dispose(): void } {
  const listeners = new Set<(msg: PushMessage) => void>();
  // Round-trip through JSON like the real transports, so nothing non-plain sneaks through.
  const session = new HostSession(handlers, (msg) => {
    const copy = JSON.parse(JSON.stringify(msg)) as PushMessage;
    for (const l of listeners) l(copy);
  });
  const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  return {
    host: 'browser',
    invoke: async (name, params) => plain(await session.invoke(name, plain(params))),
    streamOpen: async (id, name, params) => plain(await session.stream(id, name, plain(params))),
    streamCancel: (id) => session.cancel(id),
    streamInput: (id, data) => session.input(id, data),
    onPush(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose: () => session.dispose(),
  };
}
