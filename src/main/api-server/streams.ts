/**
 * docker's attach streams. A client either upgrades the connection (`Upgrade: tcp` → `101
 * UPGRADED`, sent alone before any output; the docker CLI) or reads a plain 200 response
 * (dockerode's default). Without a TTY, output is multiplexed in 8-byte-header frames
 * (stream, 0, 0, 0, big-endian length); with one it is raw.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex, Readable } from 'node:stream';

export type StreamKind = 'stdin' | 'stdout' | 'stderr';

const STREAM_IDS: Record<StreamKind, number> = { stdin: 0, stdout: 1, stderr: 2 };

/** One frame of docker's multiplexed stream. */
export function frame(kind: StreamKind, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = STREAM_IDS[kind];
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** Where a container's output goes and its input comes from, for one client. */
export interface RawStream {
  /** Sends output, framed unless the container has a TTY. */
  send(kind: 'stdout' | 'stderr', data: Buffer): void;
  end(): void;
  /** The client's stdin (upgraded connections only). */
  readonly input: Readable | undefined;
  onClose(fn: () => void): void;
}

function contentType(tty: boolean, version: number): string {
  return tty || version < 1.42 ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
}

function streamOver(out: { write(b: Buffer): unknown; end(): void }, tty: boolean, input: Readable | undefined, closeSource: NodeJS.EventEmitter): RawStream {
  let ended = false;
  return {
    send: (kind, data) => {
      if (!ended && data.length > 0) out.write(tty ? data : frame(kind, data));
    },
    end: () => {
      if (ended) return;
      ended = true;
      out.end();
    },
    input,
    onClose: (fn) => closeSource.once('close', fn),
  };
}

/** Answers an `Upgrade: tcp` request with docker's 101 and hands back the raw connection. */
export function upgradedStream(socket: Duplex, head: Buffer, tty: boolean, version: number): RawStream {
  socket.write(
    `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType(tty, version)}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`,
  );
  if (head.length > 0) socket.unshift(head);
  socket.on('error', () => socket.destroy());
  return streamOver(socket, tty, socket, socket);
}

/** A plain POST: a 200 response carries the output; there is no stdin. */
export function plainStream(req: IncomingMessage, res: ServerResponse, tty: boolean, version: number): RawStream {
  res.writeHead(200, { 'Content-Type': contentType(tty, version) });
  res.flushHeaders();
  req.resume();
  return streamOver(res, tty, undefined, res);
}

/** Reads exactly `length` bytes of a JSON body that precedes an upgrade (exec start). */
export async function readUpgradeBody(socket: Duplex, head: Buffer, length: number): Promise<Buffer> {
  let buf = head;
  while (buf.length < length) {
    const chunk = await new Promise<Buffer | null>((resolve) => {
      const onData = (c: Buffer): void => {
        socket.off('end', onEnd);
        resolve(c);
      };
      const onEnd = (): void => {
        socket.off('data', onData);
        resolve(null);
      };
      socket.once('data', onData);
      socket.once('end', onEnd);
    });
    if (!chunk) break;
    buf = Buffer.concat([buf, chunk]);
  }
  socket.pause();
  if (buf.length > length) socket.unshift(buf.subarray(length));
  return buf.subarray(0, length);
}
