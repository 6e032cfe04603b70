/**
 * Worker thread side of `ingestOffThread` (ingest-pool.ts): runs `ingestLayer` on the chunks the
 * main thread transfers, so both sha256 passes, the decompressor's bookkeeping and the tar parse
 * of one layer run on their own core while the main thread keeps reading the network.
 *
 * Protocol (one job at a time): `start` {root, expected} → `chunk` {data: ArrayBuffer}… → `end`
 * or `abort`. Each chunk is acknowledged (`ack`) once ingestLayer took it, which bounds the bytes
 * in flight; the job ends with `done` {layer} or `failed` {error}.
 */
import { parentPort } from 'node:worker_threads';
import { ContentStore } from '../store/content-store.ts';
import { ingestLayer } from '../layer/layer-ingest.ts';
import { StrataError, errorCode, type ErrorCode } from '../../../shared/errors.ts';

export type ToWorker =
  | { type: 'start'; root: string; expected: { digest?: string; size?: number } | undefined }
  | { type: 'chunk'; data: ArrayBuffer[] }
  | { type: 'end' }
  | { type: 'abort' };

export interface WorkerError {
  name: string;
  message: string;
  code: ErrorCode;
  expected?: string | number;
  actual?: string | number;
}

const port = parentPort!;
const stores = new Map<string, ContentStore>();

/** The chunks of the current job as an async iterable; `ack` is posted as each one is taken. */
class ChunkQueue {
  private readonly items: (Buffer | null | Error)[] = [];
  private wake: (() => void) | undefined;

  push(item: Buffer | null | Error): void {
    this.items.push(item);
    this.wake?.();
    this.wake = undefined;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      while (this.items.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
      const item = this.items.shift()!;
      if (item === null) return;
      if (item instanceof Error) throw item;
      port.postMessage({ type: 'ack' });
      yield item;
    }
  }
}

let queue: ChunkQueue | undefined;

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'start') {
    const q = new ChunkQueue();
    queue = q;
    void run(msg.root, msg.expected, q);
  } else if (msg.type === 'chunk') {
    queue?.push(msg.data.length === 1 ? Buffer.from(msg.data[0]!) : Buffer.concat(msg.data.map((b) => new Uint8Array(b))));
  } else if (msg.type === 'end') {
    queue?.push(null);
  } else {
    queue?.push(new StrataError('canceled', 'layer download aborted'));
  }
});

async function run(root: string, expected: { digest?: string; size?: number } | undefined, q: ChunkQueue): Promise<void> {
  let store = stores.get(root);
  if (!store) stores.set(root, (store = new ContentStore(root)));
  try {
    const layer = await ingestLayer(store, q, expected);
    port.postMessage({ type: 'done', layer });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const out: WorkerError = { name: e.name, message: e.message, code: errorCode(e) };
    const fields = e as unknown as { expected?: string | number; actual?: string | number };
    if (fields.expected !== undefined) out.expected = fields.expected;
    if (fields.actual !== undefined) out.actual = fields.actual;
    port.postMessage({ type: 'failed', error: out });
  } finally {
    if (queue === q) queue = undefined;
  }
}
