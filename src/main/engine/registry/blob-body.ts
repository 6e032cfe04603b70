import type { Socket } from 'node:net';
import { Readable } from 'node:stream';

/**
 * A blob's response body read into one buffer that is reused for the whole download, instead of a
 * fresh 64 KiB buffer per socket read (node:http's way). Those buffers were a fifth of a pull's
 * CPU: short-lived external memory sets off a full collection every ≈ 64 MB
 * (docs/performance.md). The socket reads straight into free room of the ring (net's `onread`).
 *
 * By default every piece is handed on as a copy, so a body read by anyone (an error's JSON, a
 * drained redirect) behaves like any stream. A consumer that calls lend() gets views of the ring
 * instead, and must say, in order, how many body bytes it is done with: until it does, their room
 * is not read into again (the socket waits).
 */
export class BlobBody extends Readable {
  readonly ring: ReadRing;
  private socket: Socket | undefined;
  private lent = false;
  /** Body bytes handed on so far. */
  private delivered = 0;
  /** The consumer wants more (Readable's _read since the last refused push). */
  private wanted = true;
  /** The socket was stopped by us (no room, or nobody reading). */
  private stopped = false;

  constructor(ring: ReadRing) {
    // Object mode: read() hands out each piece as it is. A byte stream's read() joins every
    // buffered piece into one new buffer: a copy, and the garbage this body exists to avoid.
    super({ objectMode: true, highWaterMark: 64 });
    this.ring = ring;
  }

  /** The socket the body comes from (set once connected). */
  attach(socket: Socket): void {
    this.socket = socket;
  }

  /** Views of the ring from now on; `release(n)`: the first n body bytes are no longer needed. */
  lend(): (bytes: number) => void {
    this.lent = true;
    return (bytes) => {
      this.ring.release(bytes);
      this.flowIfStopped();
    };
  }

  /** The socket is not being read: the reader has enough queued, or no room of the ring is free. */
  get paused(): boolean {
    return this.stopped;
  }

  /** Pieces still waiting for a reader, or ring room still lent out: a slow reader, not a stalled server. */
  get waitingOnReader(): boolean {
    return this.readableLength > 0 || this.stopped;
  }

  /** One piece of body from the ring; false: stop reading the socket for now. */
  deliver(view: Buffer): boolean {
    if (view.length === 0) return this.keepReading();
    this.delivered += view.length;
    if (this.lent) this.ring.lend(view, this.delivered);
    this.wanted = this.push(this.lent ? view : Buffer.from(view)) && this.wanted;
    return this.keepReading();
  }

  /** Whether the socket may read again now; marks it stopped otherwise. */
  keepReading(): boolean {
    this.stopped = !(this.wanted && this.ring.hasRoom());
    return !this.stopped;
  }

  override _read(): void {
    this.wanted = true;
    this.flowIfStopped();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.socket?.destroy();
    callback(err);
  }

  private flowIfStopped(): void {
    if (!this.stopped || this.destroyed || !this.keepReading()) return;
    this.socket?.resume();
  }
}

/** A view of the ring lent out: where it starts there, and the body offset it ends at. */
interface Lent {
  ringStart: number;
  bodyEnd: number;
}

/**
 * One buffer the socket reads into piece after piece, wrapping round. Room is free unless a view
 * of it is still lent out; reads go into a contiguous stretch of `readSize` bytes.
 */
export class ReadRing {
  readonly buffer: Buffer;
  private readonly readSize: number;
  /** Where the next read goes. */
  private at = 0;
  private readonly lentOut: Lent[] = [];
  /** Index of the oldest view still lent out in lentOut. */
  private first = 0;

  constructor(size = 4 << 20, readSize = 64 << 10) {
    this.buffer = Buffer.allocUnsafeSlow(size);
    this.readSize = readSize;
  }

  /** The room the next read goes into (net calls this after each read). */
  next(): Buffer {
    if (this.at + this.readSize > this.buffer.length) this.at = 0;
    return this.buffer.subarray(this.at, this.at + this.readSize);
  }

  /** A read of `n` bytes landed in next()'s room. */
  filled(n: number): void {
    this.at += n;
  }

  /** `view` (of this ring) is lent out until the body's first `bodyEnd` bytes are released. */
  lend(view: Buffer, bodyEnd: number): void {
    this.lentOut.push({ ringStart: view.byteOffset - this.buffer.byteOffset, bodyEnd });
  }

  release(bodyBytes: number): void {
    while (this.first < this.lentOut.length && this.lentOut[this.first]!.bodyEnd <= bodyBytes) this.first++;
    if (this.first === this.lentOut.length || this.first > 1024) {
      this.lentOut.splice(0, this.first);
      this.first = 0;
    }
  }

  /** Whether the room next() will give is free of lent views. */
  hasRoom(): boolean {
    if (this.first === this.lentOut.length) return true;
    const oldest = this.lentOut[this.first]!.ringStart;
    const wraps = this.at + this.readSize > this.buffer.length;
    const start = wraps ? 0 : this.at;
    // Lent bytes run from `oldest` up to `at`, round the end of the ring when oldest ≥ at.
    if (oldest < this.at) return !wraps || oldest >= start + this.readSize;
    return !wraps && oldest >= start + this.readSize;
  }
}
