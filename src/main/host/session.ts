/**
 * One connected renderer (an Electron window or a browser tab): validates every message, runs
 * the handler, wraps the result in an envelope, tracks its streams so they can be cancelled, and
 * forwards the engine's change events. Electron main and the browser host both use it.
 */
import type { ChangeEvent, Envelope, ErrorInfo, PushMessage, RequestName, StreamName } from '../../shared/contract.ts';
import { ValidationError, validateRequest, validateStream, validateStreamId } from '../../shared/validate.ts';
import type { Handlers } from './handlers.ts';
import { StrataError, toErrorData, type ErrorCode } from '../../shared/errors.ts';
import { explainDiskFull } from '../engine/metadata/db.ts';

export class UnsupportedError extends StrataError {
  constructor(message: string) {
    super('unsupported', message);
  }
}

/** Legacy classes that do not carry a code yet, by name (removed as each one extends StrataError). */
const LEGACY_CODES: Record<string, ErrorCode> = {
  ImageNotFoundError: 'not-found',
  NoSuchContainerError: 'not-found',
  ConflictError: 'conflict',
  ValidationError: 'invalid',
  InvalidReferenceError: 'invalid',
  UnauthorizedError: 'unauthorized',
};

export function errorInfo(err: unknown): ErrorInfo {
  const data = toErrorData(err);
  // SQLite's "database or disk is full" is the disk, like ENOSPC: docker's words and what to do.
  const full = explainDiskFull(err, 'the store');
  if (full !== err) return toErrorData(full);
  if (data.code === 'internal' && err instanceof Error) {
    const legacy = LEGACY_CODES[err.name] ?? (/^No such (image|container)/.test(err.message) ? 'not-found' : err.message === 'canceled' ? 'canceled' : undefined);
    if (legacy) data.code = legacy;
  }
  return data;
}

interface LiveStream {
  abort: AbortController;
  input?: (data: string) => void;
}

export class HostSession {
  private readonly handlers: Handlers;
  private readonly push: (msg: PushMessage) => void;
  private readonly streams = new Map<string, LiveStream>();
  private readonly unsubscribe: () => void;

  constructor(handlers: Handlers, push: (msg: PushMessage) => void) {
    this.handlers = handlers;
    // A push that cannot be delivered (a closed window, a value that does not serialise) is dropped:
    // it must not throw into the engine's event emitter or the handler that emitted it.
    this.push = (msg) => {
      try {
        push(msg);
      } catch {
        /* dropped */
      }
    };
    this.unsubscribe = handlers.onChange((event: ChangeEvent) => this.push({ type: 'change', event }));
  }

  async invoke(name: unknown, params: unknown): Promise<Envelope<unknown>> {
    try {
      const req = validateRequest<RequestName>(String(name), params);
      const fn = this.handlers.requests[req.name] as (p: unknown) => unknown;
      return { ok: true, value: (await fn(req.params)) ?? null };
    } catch (err) {
      return { ok: false, error: errorInfo(err) };
    }
  }

  async stream(id: unknown, name: unknown, params: unknown): Promise<Envelope<unknown>> {
    let streamId: string;
    try {
      streamId = validateStreamId(id);
      if (this.streams.has(streamId)) throw new ValidationError(`stream ${streamId} is already open`);
    } catch (err) {
      return { ok: false, error: errorInfo(err) };
    }
    const live: LiveStream = { abort: new AbortController() };
    this.streams.set(streamId, live);
    try {
      const req = validateStream<StreamName>(String(name), params);
      const fn = this.handlers.streams[req.name] as (p: unknown, ctx: StreamContext<unknown>) => Promise<unknown>;
      const value = await fn(req.params, {
        signal: live.abort.signal,
        emit: (event) => this.push({ type: 'stream-event', id: streamId, event }),
        onInput: (listener) => {
          live.input = listener;
        },
      });
      if (live.abort.signal.aborted) return { ok: false, error: { message: 'canceled', code: 'canceled' } };
      return { ok: true, value: value ?? null };
    } catch (err) {
      if (live.abort.signal.aborted) return { ok: false, error: { message: 'canceled', code: 'canceled' } };
      return { ok: false, error: errorInfo(err) };
    } finally {
      this.streams.delete(streamId);
    }
  }

  cancel(id: unknown): void {
    if (typeof id === 'string') this.streams.get(id)?.abort.abort(new Error('canceled'));
  }

  input(id: unknown, data: unknown): void {
    if (typeof id === 'string' && typeof data === 'string' && data.length <= 1 << 20) this.streams.get(id)?.input?.(data);
  }

  /** The window or tab went away: stop its work. */
  dispose(): void {
    this.unsubscribe();
    for (const s of this.streams.values()) s.abort.abort(new Error('canceled'));
    this.streams.clear();
  }
}

export interface StreamContext<E> {
  signal: AbortSignal;
  emit(event: E): void;
  onInput(listener: (data: string) => void): void;
}
