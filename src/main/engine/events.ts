import { EventEmitter } from 'node:events';

import type { ChangeEvent } from './api.ts';

// The type lives in api.ts (plain data, no Node imports) so the renderer's contract can use it.
export type { ChangeEvent };

/** A tiny typed bus: services emit, the CLI ignores, the desktop app forwards to the renderer. */
export class ChangeBus {
  private readonly emitter = new EventEmitter();

  emit(event: ChangeEvent): void {
    this.emitter.emit('change', event);
  }

  on(listener: (event: ChangeEvent) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}
