import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ingestLayer, type IngestedLayer } from '../layer/layer-ingest.ts';
import { DigestMismatchError, SizeMismatchError, type ContentStore } from '../store/content-store.ts';
import type { ToWorker, WorkerError } from './ingest-worker.ts';
import { StrataError } from '../../../shared/errors.ts';

/**
 * `ingestLayer` on a worker thread. A pull's main thread has the sockets to read; hashing the blob
 * and the tar (two sha256 passes over every byte) and parsing the tar on it as well made it the
 * bottleneck while the second core idled. A layer being downloaded gets a worker when one is free
 * (at most cores − 1 of them, kept for the next layer and unref'd while idle), else it is ingested
 * here; the socket's buffers are transferred to the worker, not copied. The checks are ingestLayer's own: same digest, size, diff ID, file index, hostile-entry
 * refusal, fsync and rename, and the same errors.
 *
 * Where the worker script is not on disk (a bundled build), the ingest runs in this thread.
 */
// Not literals in `new URL(…)`: a bundler must not copy the raw .ts next to its output. The
// source runs under Node 24 (CLI); the desktop app's bundle has `ingest-worker.js` beside it.
const WORKER_FILES = ['./ingest-worker.ts', './ingest-worker.js'];
const WORKER_URL = WORKER_FILES.map((f) => new URL(f, import.meta.url)).find((u) => u.protocol === 'file:' && existsSync(fileURLToPath(u)));
export const workerAvailable = WORKER_URL !== undefined;

/** Bytes per message to a worker. */
const BATCH_BYTES = 1024 * 1024;
/** Batches handed to a worker before waiting for it to take one. */
const IN_FLIGHT = 4;

/**
 * Workers at most: one core is left to the thread reading the sockets, which ingests the layers
 * that find no free worker itself. (Each worker also costs ~0.1 s of CPU to start.)
 */
const MAX_WORKERS = Math.max(1, availableParallelism() - 1);

const idle: Worker[] = [];
let workers = 0;

/**
 * Starts workers ahead of need (up to `count` idle ones), so that loading their modules overlaps
 * the manifest and config round trips instead of delaying the first layers.
 */
export function prewarmIngestWorkers(count: number): void {
  if (!workerAvailable) return;
  while (idle.length < count && workers < MAX_WORKERS) idle.push(spawn());
}

function spawn(): Worker {
  const worker = new Worker(WORKER_URL!);
  workers++;
  worker.unref();
  // An idle worker that dies is dropped from the pool; a busy one's Job reports it.
  worker.once('exit', () => {
    workers--;
    const i = idle.indexOf(worker);
    if (i >= 0) idle.splice(i, 1);
  });
  worker.on('error', () => {});
  return worker;
}

export async function ingestOffThread(
  store: ContentStore,
  source: AsyncIterable<Uint8Array>,
  expected?: { digest?: string; size?: number },
): Promise<IngestedLayer> {
  const worker = !workerAvailable ? undefined : idle.pop() ?? (workers < MAX_WORKERS ? spawn() : undefined);
  if (!worker) return ingestLayer(store, coalesce(source), expected);
  worker.ref();
  const job = new Job(worker);
  let healthy = true;
  try {
    job.post({ type: 'start', root: store.root, expected });
    try {
      // Socket reads (~64 KiB) go over in ~1 MiB batches: fewer messages, and the worker joins them.
      let batch: ArrayBuffer[] = [];
      let batchBytes = 0;
      for await (const chunk of source) {
        if (job.settled) break;
        batch.push(transferable(chunk));
        batchBytes += chunk.byteLength;
        if (batchBytes < BATCH_BYTES) continue;
        job.post({ type: 'chunk', data: batch }, batch);
        batch = [];
        batchBytes = 0;
        await job.room();
      }
      if (batch.length > 0 && !job.settled) job.post({ type: 'chunk', data: batch }, batch);
    } catch (err) {
      job.post({ type: 'abort' });
      await job.result.catch(() => {}); // the worker removed its ingest file
      throw err;
    }
    if (!job.settled) job.post({ type: 'end' });
    return await job.result;
  } catch (err) {
    healthy = !job.crashed;
    throw err;
  } finally {
    job.detach();
    if (healthy) {
      worker.unref();
      idle.push(worker);
    } else {
      void worker.terminate();
    }
  }
}

/** Joins small chunks (socket reads) into ~1 MiB ones: far fewer file writes, hash updates and decompressor round trips. */
async function* coalesce(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of source) {
    pending.push(chunk);
    bytes += chunk.byteLength;
    if (bytes < BATCH_BYTES) continue;
    yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, bytes);
    pending = [];
    bytes = 0;
  }
  if (bytes > 0) yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, bytes);
}

/** The chunk's bytes as an ArrayBuffer this thread may give away (a copy unless it owns them whole). */
function transferable(chunk: Uint8Array): ArrayBuffer {
  const buf = chunk.buffer;
  if (buf instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === buf.byteLength && chunk.byteLength >= 16 * 1024) return buf;
  return new Uint8Array(chunk).buffer; // a copy of just these bytes (Buffer#slice would be a view)
}

/** One ingest's exchange with its worker: acks for backpressure, then its outcome. */
class Job {
  readonly result: Promise<IngestedLayer>;
  settled = false;
  crashed = false;
  private readonly worker: Worker;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private readonly detachers: (() => void)[] = [];

  constructor(worker: Worker) {
    this.worker = worker;
    this.result = new Promise<IngestedLayer>((resolve, reject) => {
      const settle = (): void => {
        this.settled = true;
        this.wakeUp();
      };
      const onMessage = (msg: { type: string; layer?: IngestedLayer; error?: WorkerError }): void => {
        if (msg.type === 'ack') {
          this.inFlight--;
          this.wakeUp();
        } else if (msg.type === 'done') {
          settle();
          resolve(msg.layer!);
        } else if (msg.type === 'failed') {
          settle();
          reject(fromWorker(msg.error!));
        }
      };
      const onError = (err: Error): void => {
        this.crashed = true;
        settle();
        reject(err);
      };
      const onExit = (code: number): void => onError(new Error(`layer ingest worker exited with code ${code}`));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      this.detachers.push(() => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      });
    });
    this.result.catch(() => {}); // awaited by ingestOffThread
  }

  post(msg: ToWorker, transfer?: ArrayBuffer[]): void {
    if (msg.type === 'chunk') this.inFlight++;
    if (!this.crashed) this.worker.postMessage(msg, transfer);
  }

  /** Resolves once fewer than IN_FLIGHT chunks wait in the worker, or the job is over. */
  async room(): Promise<void> {
    while (this.inFlight >= IN_FLIGHT && !this.settled) await new Promise<void>((resolve) => (this.wake = resolve));
  }

  detach(): void {
    for (const d of this.detachers) d();
  }

  private wakeUp(): void {
    this.wake?.();
    this.wake = undefined;
  }
}

/** The worker's error as this thread's own kind, so callers' `instanceof` checks still hold. */
function fromWorker(e: WorkerError): Error {
  let err: Error;
  if (e.name === 'DigestMismatchError') err = new DigestMismatchError(String(e.expected), String(e.actual));
  else if (e.name === 'SizeMismatchError') err = new SizeMismatchError(Number(e.expected), Number(e.actual));
  else err = new StrataError(e.code, e.message);
  err.message = e.message;
  if (e.name !== 'Error' && !(err instanceof DigestMismatchError) && !(err instanceof SizeMismatchError)) err.name = e.name;
  return err;
}
