import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Stores } from '../stores.ts';
import type { ImageLayer } from '../image/image-service.ts';
import { decompressor } from '../layer/layer-ingest.ts';
import { chainIds, hexOf } from '../store/digest.ts';
import { unpackLayer } from './unpack.ts';
import { needsUserNamespace, runInUserNamespace } from './userns.ts';
import { removeTree } from './rootfs.ts';
import { StrataError } from '../../../shared/errors.ts';
import { processStamp, stampAlive } from '../build/owner.ts';

import { SNAPSHOT_GRACE_MS } from './grace.ts';
export { SNAPSHOT_GRACE_MS };

/** How often a process waiting for another one's unpack of the same snapshot looks again. */
const WAIT_POLL_MS = 50;

/** The marker a process holds while it makes a snapshot: `snapshots/<hex>/preparing`, its pid:starttime. */
const LOCK_NAME = 'preparing';

export interface SnapshotterOptions {
  /** Called when another live process is making a snapshot this one needs (it then waits). */
  onWait?: (chainId: string) => void;
}

/**
 * Read-only unpacked layers for overlayfs (containerd's snapshotter, reduced to "view"): one
 * directory per chain ID under `snapshots/<hex>/fs`, made once and shared by every image and
 * container with the same layer stack. A snapshot appears only by an atomic rename of a fully
 * unpacked directory, so a crash leaves no half-made snapshot behind. Across processes, the one
 * making a snapshot holds a marker file beside it (`preparing`); another that needs the same
 * snapshot — a RUN while `load` or `pull` prepares the base in the background — waits for it
 * instead of unpacking it a second time, and takes over when the holder died.
 */
export class Snapshotter {
  private readonly engine: Stores;
  readonly root: string;
  private readonly pending = new Map<string, Promise<string>>();
  private readonly options: SnapshotterOptions;

  constructor(engine: Stores, options: SnapshotterOptions = {}) {
    this.engine = engine;
    this.root = engine.dir('snapshots');
    this.options = options;
  }

  /** The snapshot directory of a chain ID (it may not exist yet). */
  dirOf(chainId: string): string {
    return join(this.root, hexOf(chainId), 'fs');
  }

  /** Unpacks each layer of the image once and returns the read-only directories, lowest first. */
  async lowerDirs(imageId: string): Promise<string[]> {
    const dirs: string[] = [];
    for (const layer of this.engine.images.layers(imageId)) dirs.push(await this.ensure(layer, [...dirs]));
    return dirs;
  }

  /**
   * Like lowerDirs, for a layer stack that is not an image (yet): a build's intermediate state.
   * Layers are given lowest first; their chain IDs are computed here.
   */
  async lowerDirsForLayers(layers: readonly Pick<ImageLayer, 'diffId' | 'blobDigest' | 'compression'>[]): Promise<string[]> {
    const chains = chainIds(layers.map((l) => l.diffId));
    const dirs: string[] = [];
    for (let i = 0; i < layers.length; i++) dirs.push(await this.ensure({ ...layers[i]!, chainId: chains[i]! } as ImageLayer, [...dirs]));
    return dirs;
  }

  private ensure(layer: ImageLayer, below: string[]): Promise<string> {
    const dir = this.dirOf(layer.chainId);
    if (existsSync(dir)) return Promise.resolve(dir);
    let p = this.pending.get(layer.chainId);
    if (!p) {
      p = this.prepare(layer, below, dir).finally(() => this.pending.delete(layer.chainId));
      this.pending.set(layer.chainId, p);
    }
    return p;
  }

  /** Unpacks the layer under the snapshot's marker, or waits while another live process does. */
  private async prepare(layer: ImageLayer, below: string[], dir: string): Promise<string> {
    const parent = join(this.root, hexOf(layer.chainId));
    const lock = join(parent, LOCK_NAME);
    let told = false;
    for (;;) {
      if (existsSync(dir)) return dir;
      mkdirSync(parent, { recursive: true });
      if (takeMarker(lock)) {
        try {
          return existsSync(dir) ? dir : await this.unpack(layer, below, dir, parent);
        } finally {
          rmSync(lock, { force: true });
        }
      }
      if (!told) this.options.onWait?.(layer.chainId);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    }
  }

  private async unpack(layer: ImageLayer, below: string[], dir: string, parent: string): Promise<string> {
    const tmp = join(parent, `tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(tmp, { mode: 0o755 });
    try {
      // Large reads: the unpacker handles each chunk's entries in one go. A read error ends the
      // decompressor too (pipe() alone would leave the unpack waiting for the rest forever).
      const blob = this.engine.content.read(layer.blobDigest, { highWaterMark: 1 << 20 });
      const source = decompressor(layer.compression);
      blob.once('error', (err) => source.destroy(err));
      source.once('close', () => blob.destroy()); // a failed unpack closes the blob's descriptor too
      blob.pipe(source);
      // With subordinate IDs only the user namespace's root can give files the layer's owners.
      if (needsUserNamespace()) await runInUserNamespace({ op: 'unpack', target: tmp, lowerDirs: below }, source);
      else await unpackLayer(source, tmp, below);
      try {
        renameSync(tmp, dir);
      } catch (err) {
        // Another process made the same snapshot meanwhile: theirs is identical.
        if (!existsSync(dir)) throw err;
        removeTree(tmp);
      }
      return dir;
    } catch (err) {
      removeTree(tmp);
      throw new StrataError('data-loss', `cannot unpack layer ${layer.diffId}: ${(err as Error).message}`);
    }
  }

  /**
   * Removes snapshots nothing uses any more (their chain ID is in no image's layer stack and in
   * no registered resource's, such as a container's), and unpacks a crash left half-done.
   * Snapshots younger than `olderThanMs` are kept: a build in progress may be running on layers
   * no image records yet. Returns how many directories were removed.
   */
  prune(options: { olderThanMs?: number } = {}): number {
    const olderThan = Date.now() - (options.olderThanMs ?? SNAPSHOT_GRACE_MS);
    const inUse = this.engine.references.chainsInUse();
    let removed = 0;
    for (const name of this.listHex()) {
      const dir = join(this.root, name);
      for (const entry of readdirSync(dir)) {
        if (entry.startsWith('tmp-') && statSync(join(dir, entry)).mtimeMs < olderThan) removeTree(join(dir, entry));
      }
      if (inUse.has(`sha256:${name}`) || statSync(dir).mtimeMs >= olderThan) continue;
      removeTree(dir);
      removed++;
    }
    return removed;
  }

  /** Whether every layer of the image is unpacked already. */
  isPrepared(imageId: string): boolean {
    return this.engine.images.layers(imageId).every((l) => existsSync(this.dirOf(l.chainId)));
  }

  private listHex(): string[] {
    try {
      return readdirSync(this.root).filter((n) => /^[a-f0-9]{64}$/.test(n));
    } catch {
      return [];
    }
  }
}

/**
 * Takes a snapshot's marker: created whole (written aside, then hard-linked to its name, which
 * fails when it exists), so no reader sees it empty. A marker whose process is gone is removed
 * and taken (two processes taking over the same dead marker at once may both unpack; the
 * rename publishes one and the other's copy is dropped). False while another live process holds it.
 */
function takeMarker(lock: string): boolean {
  // Named like an unpack's scratch directory, so that prune removes one a crash left.
  const mine = join(dirname(lock), `tmp-marker-${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(mine, processStamp());
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(mine, lock);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let holder: string;
      try {
        holder = readFileSync(lock, 'utf8');
      } catch {
        continue; // released meanwhile
      }
      if (stampAlive(holder)) return false;
      rmSync(lock, { force: true });
    }
    return false;
  } finally {
    rmSync(mine, { force: true });
  }
}
