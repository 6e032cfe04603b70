/**
 * ADD of a local archive: recognised by its first bytes, unpacked into a scratch directory of the
 * build, then copied like a directory. The tar is untrusted: every entry goes through the same
 * checks as a layer tar (`checkLayerEntry`: no absolute or `..` names, nothing written through a
 * symlink of the archive, hardlinks only to earlier entries), and the writes themselves never
 * follow a link: whatever is at a path is removed first, files are created O_EXCL | O_NOFOLLOW,
 * hardlinks are made with link(2), which does not follow. Ownership, modes and device numbers
 * stay in the returned metadata (a rootless builder cannot chown or mknod); FIFOs and devices
 * are never created on disk.
 */
import { closeSync, createWriteStream, linkSync, lstatSync, mkdirSync, openSync, rmSync, symlinkSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { PassThrough, type Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { StrataError } from '../../../shared/errors.ts';
import { checkLayerEntry, HostileArchiveError, LayerPathTracker } from '../layer/tar-safety.ts';
import type { SourceMeta, SourceTree } from './context.ts';
import { NEW_FILE, openRegularFile, readHead, streamOpened, type OpenedFile } from './context-file.ts';

export type ArchiveKind = 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** Recognises a local archive ADD unpacks, by its first bytes (undefined for anything else). */
export function archiveKind(path: string): ArchiveKind | undefined {
  let head: Buffer;
  try {
    const f = openRegularFile(path);
    try {
      head = readHead(f.fd, 512);
    } finally {
      closeSync(f.fd);
    }
  } catch {
    return undefined;
  }
  return kindOf(head);
}

function kindOf(h: Buffer): ArchiveKind | undefined {
  if (h.length >= 3 && h[0] === 0x1f && h[1] === 0x8b) return 'gzip';
  if (h.length >= 3 && h.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (h.length >= 6 && h[0] === 0xfd && h.toString('latin1', 1, 5) === '7zXZ') return 'xz';
  if (h.length >= 4 && h.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (h.length >= 262 && h.toString('latin1', 257, 262) === 'ustar') return 'tar';
  return undefined;
}

interface TarSource {
  stream: Readable;
  done: Promise<void>;
  /** Stops reading (and a decompressor process) early. */
  stop: () => void;
}

/**
 * The decompressed tar stream of an opened archive (bzip2 and xz through the host tools, reading
 * the descriptor as their stdin). Takes ownership of the descriptor.
 */
function tarStream(f: OpenedFile, kind: ArchiveKind): TarSource {
  if (kind === 'bzip2' || kind === 'xz') {
    const tool = kind === 'bzip2' ? 'bzip2' : 'xz';
    let child;
    try {
      child = spawn(tool, ['-dc'], { stdio: [f.fd, 'pipe', 'pipe'] });
    } finally {
      closeSync(f.fd);
    }
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<void>((resolve, reject) => {
      child.on('error', (err) => reject(new StrataError('unavailable', `cannot unpack ${kind} archive: ${tool} is not available (${err.message})`)));
      child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new StrataError('invalid', `cannot unpack ${kind} archive: ${stderr.trim() || `${tool} exit ${code ?? signal}`}`))));
    });
    return { stream: child.stdout!, done, stop: () => child.kill('SIGKILL') };
  }
  const dec: Transform = kind === 'gzip' ? zlib.createGunzip() : kind === 'zstd' ? zlib.createZstdDecompress() : new PassThrough();
  const file = streamOpened(f);
  return { stream: dec, done: pipeline(file, dec), stop: () => file.destroy() };
}

/**
 * Unpacks the archive at `file` (a regular file, checked by its descriptor) into the empty
 * directory `out`. A hostile entry fails the step with one line naming the archive.
 */
export async function extractArchive(file: string, out: string, label: string): Promise<SourceTree> {
  const opened = openRegularFile(file, label);
  let kind: ArchiveKind | undefined;
  try {
    kind = kindOf(readHead(opened.fd, 512));
    if (!kind) throw new StrataError('invalid', `${label}: not an archive`);
    mkdirSync(out, { recursive: true });
  } catch (err) {
    closeSync(opened.fd);
    throw err;
  }
  const source = tarStream(opened, kind);
  const extract = tar.extract();
  const feeding = pipeline(source.stream, extract);
  feeding.catch(() => {});
  source.done.catch(() => {});
  const unpacker = new ArchiveUnpacker(out);
  try {
    for await (const entry of extract) await unpacker.add(entry);
    await Promise.all([feeding, source.done]);
  } catch (err) {
    source.stop();
    extract.destroy();
    if (err instanceof HostileArchiveError) throw new StrataError('data-loss', `failed to unpack ${label}: ${err.message}`, { cause: err });
    if ((err as NodeJS.ErrnoException).code === 'ENAMETOOLONG') {
      const name = unpacker.current.length > 80 ? `${unpacker.current.slice(0, 80)}…` : unpacker.current;
      throw new StrataError('invalid', `failed to unpack ${label}: path too long for this filesystem: ${name}`, { cause: err });
    }
    throw err;
  }
  return { root: out, meta: unpacker.meta, label: 'archive' };
}

type TarEntry = AsyncIterable<unknown> & { header: tar.Header; resume(): unknown };

const DEVICE_TYPES: Partial<Record<string, SourceMeta['type']>> = { 'character-device': 'char', 'block-device': 'block', fifo: 'fifo' };

/** Writes checked entries into `out` and keeps their metadata. */
class ArchiveUnpacker {
  readonly meta = new Map<string, SourceMeta>();
  private readonly tracker = new LayerPathTracker();
  private readonly out: string;

  constructor(out: string) {
    this.out = out;
  }

  /** The name of the entry being written (for errors). */
  current = '';

  async add(entry: TarEntry): Promise<void> {
    const header = entry.header;
    this.current = header.name;
    const rel = checkLayerEntry(header, this.tracker);
    if (rel === '') {
      entry.resume();
      return;
    }
    this.ensureParents(rel);
    const abs = join(this.out, rel);
    const base = { mode: (header.mode ?? 0o644) & 0o7777, uid: header.uid ?? 0, gid: header.gid ?? 0, size: 0, linkTarget: '' };
    switch (header.type) {
      case 'directory':
        if (this.meta.get(rel)?.type !== 'dir') {
          this.replace(rel);
          mkdirSync(abs);
        }
        this.meta.set(rel, { ...base, type: 'dir' });
        entry.resume();
        return;
      case 'file':
      case 'contiguous-file':
        this.replace(rel);
        await writeNewFile(abs, entry);
        this.meta.set(rel, { ...base, type: 'file', size: header.size ?? 0 });
        return;
      case 'symlink':
        this.replace(rel);
        symlinkSync(header.linkname ?? '', abs);
        this.meta.set(rel, { ...base, type: 'symlink', linkTarget: header.linkname ?? '' });
        entry.resume();
        return;
      case 'link':
        this.link(rel, header);
        entry.resume();
        return;
      default: {
        const type = DEVICE_TYPES[header.type ?? ''];
        // Only the metadata: the layer carries the node, nothing is created on the host.
        if (type) {
          this.replace(rel);
          this.meta.set(rel, { ...base, type, devmajor: header.devmajor ?? 0, devminor: header.devminor ?? 0 });
        }
        entry.resume();
      }
    }
  }

  /** A hardlink to an earlier entry: link(2) links the entry itself, a symlink stays a symlink. */
  private link(rel: string, header: tar.Header): void {
    const target = checkedTarget(header.linkname ?? '');
    const src = this.meta.get(target);
    if (!src || src.type === 'dir') throw new HostileArchiveError(`hardlink target not found: ${header.name} -> ${header.linkname}`);
    this.replace(rel);
    if (src.type === 'file' || src.type === 'symlink') linkSync(join(this.out, target), join(this.out, rel));
    this.meta.set(rel, { ...src });
  }

  /** Parents the archive did not list are created 0755 root (never through a link: see checkParents). */
  private ensureParents(rel: string): void {
    const missing: string[] = [];
    for (let p = dirname(rel); p !== '.' && this.meta.get(p)?.type !== 'dir'; p = dirname(p)) missing.unshift(p);
    for (const p of missing) {
      this.replace(p);
      mkdirSync(join(this.out, p));
      this.meta.set(p, { type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, linkTarget: '' });
    }
  }

  /** Removes whatever an earlier entry left at `rel` (and its metadata, with its children's). */
  private replace(rel: string): void {
    if (!this.meta.has(rel)) return;
    const prefix = `${rel}/`;
    for (const k of [...this.meta.keys()]) if (k === rel || k.startsWith(prefix)) this.meta.delete(k);
    try {
      lstatSync(join(this.out, rel));
    } catch {
      return;
    }
    rmSync(join(this.out, rel), { recursive: true, force: true });
  }
}

function checkedTarget(linkname: string): string {
  return linkname.split('/').filter((p) => p && p !== '.').join('/');
}

/** Creates a new file (never opening an existing one or a link) and streams the entry into it. */
async function writeNewFile(abs: string, entry: AsyncIterable<unknown>): Promise<void> {
  // The stream owns the descriptor and closes it.
  await pipeline(entry, createWriteStream('', { fd: openSync(abs, NEW_FILE, 0o600) }));
}
