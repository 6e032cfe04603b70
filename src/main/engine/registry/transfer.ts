import type { Stores } from '../stores.ts';

/** Runs at most `limit` tasks at once (docker's max-concurrent-downloads/uploads). */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

/** Byte-count progress, reported at most every `intervalMs` (and once more on flush). */
export function progressThrottle(report: (current: number) => void, intervalMs = 100): { update: (n: number) => void; flush: () => void } {
  let last = 0;
  let current = 0;
  let reported = -1;
  return {
    update(n: number) {
      current = n;
      const now = Date.now();
      if (now - last >= intervalMs) {
        last = now;
        reported = n;
        report(n);
      }
    },
    flush() {
      if (reported !== current) report(current);
      reported = current;
    },
  };
}

/**
 * After a failed or cancelled transfer: deletes the blobs it committed to the content store that
 * no record names (under the metadata write lock, so a concurrent commit that names one wins).
 * While another operation holds a lease it may be about to record the same blob, so the files are
 * left to gc, which knows to wait for it.
 */
export function removeUnrecorded(engine: Stores, digests: Iterable<string>): void {
  for (const d of digests) {
    engine.db.transaction(() => {
      if (engine.db.prepare('SELECT 1 FROM blobs WHERE digest = ?').get(d)) return;
      if (otherLiveLease(engine)) return;
      engine.content.delete(d);
    }).immediate();
  }
}

function otherLiveLease(engine: Stores): boolean {
  const leases = engine.db.prepare('SELECT pid FROM leases').all() as { pid: number }[];
  return leases.some((l) => alive(l.pid));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
