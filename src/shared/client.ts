/**
 * The typed `api` the renderer uses, built over a raw Transport (Electron's preload or the
 * browser host's WebSocket). Results are unwrapped from their envelope; errors become ApiError.
 */
import type {
  ChangeEvent, Envelope, ErrorInfo, ParamsOf, PushMessage, RequestName, ResultOf, StreamEventOf, StreamName, StreamParams,
  StreamResult, Transport,
} from './contract.ts';
import { StrataError, isErrorCode } from './errors.ts';

/** An error answer from the host, with the engine's code and details as they crossed the boundary. */
export class ApiError extends StrataError {
  constructor(info: ErrorInfo) {
    super(isErrorCode(info.code) ? info.code : 'internal', info.message, info.details ? { details: info.details } : {});
  }
}

export interface StreamHandle<R> {
  id: string;
  done: Promise<R>;
  cancel(): void;
  send(data: string): void;
}

export interface StrataApi {
  host: 'electron' | 'browser';
  call<K extends RequestName>(name: K, params: ParamsOf<K>): Promise<ResultOf<K>>;
  stream<K extends StreamName>(name: K, params: StreamParams<K>, onEvent: (event: StreamEventOf<K>) => void): StreamHandle<StreamResult<K>>;
  onChange(listener: (event: ChangeEvent) => void): () => void;
}

function unwrap<T>(env: Envelope<unknown>): T {
  if (env.ok) return env.value as T;
  throw new ApiError(env.error);
}

let counter = 0;
function newStreamId(): string {
  counter += 1;
  const rand = Math.random().toString(36).slice(2, 10);
  return `s${Date.now().toString(36)}-${counter}-${rand}`;
}

export function createApi(transport: Transport): StrataApi {
  const streamListeners = new Map<string, (event: unknown) => void>();
  const changeListeners = new Set<(event: ChangeEvent) => void>();
  transport.onPush((msg: PushMessage) => {
    if (msg.type === 'change') for (const l of changeListeners) l(msg.event);
    else streamListeners.get(msg.id)?.(msg.event);
  });
  return {
    host: transport.host,
    async call(name, params) {
      return unwrap(await transport.invoke(name, params));
    },
    stream(name, params, onEvent) {
      const id = newStreamId();
      streamListeners.set(id, onEvent as (event: unknown) => void);
      const done = transport.streamOpen(id, name, params).then(
        (env) => {
          streamListeners.delete(id);
          return unwrap<StreamResult<typeof name>>(env);
        },
        (err: unknown) => {
          streamListeners.delete(id);
          throw err;
        },
      );
      return { id, done, cancel: () => transport.streamCancel(id), send: (data) => transport.streamInput(id, data) };
    },
    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
  };
}

/** Client → host messages of the WebSocket bridge. */
export type WsRequest =
  | { t: 'invoke'; seq: number; name: string; params: unknown }
  | { t: 'stream'; seq: number; id: string; name: string; params: unknown }
  | { t: 'cancel'; id: string }
  | { t: 'input'; id: string; data: string };

/** Host → client messages. */
export type WsReply = { t: 'reply'; seq: number; envelope: Envelope<unknown> } | { t: 'push'; msg: PushMessage };

/**
 * The browser host's transport: one WebSocket to the page's own origin (the host's cookie
 * authenticates it). Requests sent while connecting are queued.
 */
export function webSocketTransport(url: string, WS: typeof WebSocket = WebSocket): Transport {
  const pending = new Map<number, (env: Envelope<unknown>) => void>();
  const pushListeners = new Set<(msg: PushMessage) => void>();
  const queue: string[] = [];
  let seq = 0;
  let socket: WebSocket | undefined;
  let open = false;

  const connect = (): void => {
    const ws = new WS(url);
    socket = ws;
    ws.onopen = () => {
      open = true;
      for (const m of queue.splice(0)) ws.send(m);
    };
    ws.onmessage = (e) => {
      const reply = JSON.parse(String(e.data)) as WsReply;
      if (reply.t === 'reply') {
        pending.get(reply.seq)?.(reply.envelope);
        pending.delete(reply.seq);
      } else {
        for (const l of pushListeners) l(reply.msg);
      }
    };
    ws.onclose = () => {
      open = false;
      for (const resolve of pending.values()) resolve({ ok: false, error: { message: 'connection to the Strata host was lost', code: 'unavailable' } });
      pending.clear();
    };
  };
  const send = (msg: WsRequest): void => {
    const data = JSON.stringify(msg);
    if (!socket || socket.readyState === WS.CLOSED) connect();
    if (open) socket!.send(data);
    else queue.push(data);
  };
  const request = (make: (seq: number) => WsRequest): Promise<Envelope<unknown>> =>
    new Promise((resolve) => {
      seq += 1;
      pending.set(seq, resolve);
      send(make(seq));
    });
  connect();
  return {
    host: 'browser',
    invoke: (name, params) => request((s) => ({ t: 'invoke', seq: s, name, params })),
    streamOpen: (id, name, params) => request((s) => ({ t: 'stream', seq: s, id, name, params })),
    streamCancel: (id) => send({ t: 'cancel', id }),
    streamInput: (id, data) => send({ t: 'input', id, data }),
    onPush(listener) {
      pushListeners.add(listener);
      return () => pushListeners.delete(listener);
    },
  };
}
