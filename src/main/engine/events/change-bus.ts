import { EventEmitter } from 'node:events';

import type { ChangeEvent } from '../api.ts';
import type { ChangeFeed } from './feed.ts';
import type { StoreEvent } from './event-log.ts';

// The type lives in api.ts (plain data, no Node imports) so the renderer's contract can use it.
export type { ChangeEvent };

/**
 * What the views hear: the store's change feed (every process's changes) as the contract's
 * ChangeEvents. The feed is followed only while someone listens, so the CLI pays nothing.
 */
export class ChangeBus {
  private readonly emitter = new EventEmitter();
  private readonly feed: ChangeFeed;
  private unsubscribe: (() => void) | undefined;

  constructor(feed: ChangeFeed) {
    this.feed = feed;
  }

  /** A change this process made outside the store (a file edited in a container's writable layer). */
  emit(event: ChangeEvent): void {
    this.emitter.emit('change', event);
  }

  on(listener: (event: ChangeEvent) => void): () => void {
    this.emitter.on('change', listener);
    this.unsubscribe ??= this.feed.subscribe((e) => {
      const change = toChangeEvent(e);
      if (change) this.emit(change);
    });
    return () => {
      this.emitter.off('change', listener);
      if (this.emitter.listenerCount('change') === 0) {
        this.unsubscribe?.();
        this.unsubscribe = undefined;
      }
    };
  }
}

/** docker's event → what the views refresh; undefined for events that change nothing they show (save, push). */
export function toChangeEvent(e: StoreEvent): ChangeEvent | undefined {
  switch (e.type) {
    case 'image':
      return imageChange(e);
    case 'container':
      return { kind: 'container', action: CONTAINER_ACTIONS[e.action] ?? 'changed', id: e.id };
    case 'builder':
      return { kind: 'build-cache', action: e.action === 'prune' ? 'pruned' : 'changed' };
    case 'layer':
      return { kind: 'layer', action: 'removed', id: e.id };
    case 'registry':
      return { kind: 'registry', action: e.action === 'logout' ? 'logout' : 'login', id: e.id };
  }
}

const CONTAINER_ACTIONS: Record<string, 'created' | 'started' | 'stopped' | 'removed'> = {
  create: 'created', start: 'started', die: 'stopped', stop: 'stopped', destroy: 'removed', prune: 'removed',
};

function imageChange(e: StoreEvent): ChangeEvent | undefined {
  switch (e.action) {
    case 'tag':
      return { kind: 'image', action: 'tagged', id: e.id, ref: e.attributes.name ?? '' };
    case 'untag':
      return { kind: 'image', action: 'untagged', id: e.id };
    case 'delete':
    case 'prune':
      return { kind: 'image', action: 'removed', id: e.id };
    case 'pull':
    case 'load':
    case 'import':
      return { kind: 'image', action: 'added', id: e.id };
    default:
      return undefined;
  }
}
