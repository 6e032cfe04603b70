/**
 * Read models the UI needs over the image records: list rows with shared sizes and container
 * counts, per-layer users, the file tree of a layer as the image sees it (added / modified /
 * deleted, and wasted bytes), and a docker-style inspect object. Pure reads of ImageService.
 */
import type { Engine } from '../engine/engine.ts';
import { listImages as engineListImages } from '../engine/image/list.ts';
import type { ImageSummary, LayerFile, LayerInfo } from '../engine/api.ts';
import type { ImageDetail, LayerTree, SharedLayer, TreeEntry } from '../../shared/contract.ts';

/** Each layer's image users, for every layer in the store, in one query. */
function layerUsers(engine: Engine): Map<string, Set<string>> {
  const rows = engine.db.prepare('SELECT diff_id, image_id FROM image_layers').all() as { diff_id: string; image_id: string }[];
  const users = new Map<string, Set<string>>();
  for (const r of rows) {
    let set = users.get(r.diff_id);
    if (!set) users.set(r.diff_id, (set = new Set()));
    set.add(r.image_id);
  }
  return users;
}

/** `images` rows as the engine lists them (intermediate images hidden), with SHARED SIZE and CONTAINERS. */
export function listImages(engine: Engine): ImageSummary[] {
  return engineListImages(engine, { sharedSize: true }).map(({ contentSize: _contentSize, ...img }) => ({
    ...img,
    containers: engine.images.usersOf(img.id).length,
  }));
}

export function imageLayers(engine: Engine, imageId: string): LayerInfo[] {
  const stmt = engine.db.prepare('SELECT DISTINCT image_id FROM image_layers WHERE diff_id = ? ORDER BY image_id');
  return engine.images.layers(imageId).map((l) => ({
    diffId: l.diffId,
    chainId: l.chainId,
    blobDigest: l.blobDigest,
    mediaType: l.mediaType,
    size: l.diffSize,
    tarSize: l.size,
    blobSize: l.blobSize,
    usedBy: (stmt.all(l.diffId) as { image_id: string }[]).map((r) => r.image_id),
  }));
}

/** Every layer images use, with its users, largest first. */
export function sharedLayers(engine: Engine): SharedLayer[] {
  const users = layerUsers(engine);
  const sizes = engine.db.prepare('SELECT diff_id, diff_size AS size FROM layers').all() as { diff_id: string; size: number }[];
  return sizes
    .filter((l) => users.has(l.diff_id))
    .map((l) => ({ diffId: l.diff_id, size: l.size, usedBy: [...users.get(l.diff_id)!].sort() }))
    .sort((a, b) => b.size - a.size || a.diffId.localeCompare(b.diffId));
}

function isUnder(path: string, dir: string): boolean {
  return dir === '' || path.startsWith(`${dir}/`);
}

/** Applies one layer's entries to the merged view of the layers below it. */
function applyLayer(view: Map<string, LayerFile>, files: LayerFile[]): void {
  for (const f of files) {
    if (f.type === 'opaque') {
      for (const p of [...view.keys()]) if (isUnder(p, f.path)) view.delete(p);
    } else if (f.type === 'whiteout') {
      view.delete(f.path);
      for (const p of [...view.keys()]) if (isUnder(p, f.path)) view.delete(p);
    }
  }
  for (const f of files) if (f.type !== 'whiteout' && f.type !== 'opaque') view.set(f.path, f);
}

/** Does any layer above `position` replace or delete `path`? */
function hiddenLater(later: LayerFile[][], path: string): boolean {
  for (const files of later) {
    for (const f of files) {
      if (f.path === path && f.type !== 'dir') return true;
      if ((f.type === 'whiteout' || f.type === 'opaque') && isUnder(path, f.path)) return true;
    }
  }
  return false;
}

/**
 * The file tree of the layer at `position`: each entry marked A (new), M (replaces a lower file)
 * or D (a whiteout), and whether a later layer overwrites or deletes it (wasted bytes).
 */
export function layerTree(engine: Engine, imageId: string, position: number): LayerTree {
  const layers = engine.images.layers(imageId);
  const layer = layers[position];
  if (!layer) throw new Error(`image ${imageId.slice(7, 19)} has no layer ${position}`);
  const lower = new Map<string, LayerFile>();
  for (const l of layers.slice(0, position)) applyLayer(lower, engine.images.layerFiles(l.diffId));
  const later = layers.slice(position + 1).map((l) => engine.images.layerFiles(l.diffId).filter((f) => f.type !== 'dir'));
  const entries: TreeEntry[] = [];
  let wastedBytes = 0;
  for (const f of engine.images.layerFiles(layer.diffId)) {
    const deleted = f.type === 'whiteout' || f.type === 'opaque';
    const change: TreeEntry['change'] = deleted ? 'D' : lower.has(f.path) ? 'M' : 'A';
    const wasted = !deleted && f.type !== 'dir' && hiddenLater(later, f.path);
    if (wasted) wastedBytes += f.size;
    entries.push({ path: f.path, type: f.type, size: f.size, linkTarget: f.linkTarget, change, wasted });
  }
  return { diffId: layer.diffId, position, entries, wastedBytes };
}

function isoTime(created: string | undefined): string {
  return created ?? '0001-01-01T00:00:00Z';
}

/** Config fields the UI reads directly, and the whole thing shaped like `docker image inspect`. */
export function imageDetail(engine: Engine, imageId: string): ImageDetail {
  const rec = engine.images.get(imageId);
  if (!rec) throw new Error(`No such image: ${imageId}`);
  const config = engine.images.readConfig(imageId);
  const layers = engine.images.layers(imageId);
  const cc = config.config ?? {};
  const inspect = {
    Id: rec.id,
    RepoTags: rec.repoTags,
    RepoDigests: rec.repoDigests,
    Parent: rec.parentId,
    Comment: config.history?.at(-1)?.comment ?? '',
    Created: isoTime(config.created),
    Author: config.author ?? '',
    Config: cc,
    Architecture: config.architecture,
    Os: config.os,
    Size: rec.size,
    RootFS: { Type: 'layers', Layers: layers.map((l) => l.diffId) },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
  return {
    id: rec.id,
    repoTags: rec.repoTags,
    repoDigests: rec.repoDigests,
    created: rec.created,
    size: rec.size,
    env: cc.Env ?? [],
    cmd: cc.Cmd ?? [],
    entrypoint: cc.Entrypoint ?? [],
    workingDir: cc.WorkingDir ?? '',
    inspect,
  };
}
