import { EventEmitter } from 'node:events';

/** Something in the store changed; UIs refresh what they show from these. */
export type ChangeEvent =
  | { kind: 'image'; action: 'added' | 'removed' | 'tagged' | 'untagged'; id: string; ref?: string }
  | { kind: 'container'; action: 'created' | 'started' | 'stopped' | 'removed' | 'changed'; id: string }
  | { kind: 'build-cache'; action: 'changed' | 'pruned' };

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
