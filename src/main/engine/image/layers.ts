/**
 * Layer read models over the image records, for the desktop and the CLI alike: which images use
 * each layer (sharing), the file tree of one layer as the image sees it (added / modified /
 * deleted, and the bytes later layers hide: wasted), and a one-row summary per layer
 * (`strata image layers`). Pure reads of the metadata; each layer's file index was recorded when
 * the layer was stored, so nothing is unpacked.
 */
import type { Stores } from '../stores.ts';
import type { ImageLayer } from './image-service.ts';
import { unixSeconds } from './oci.ts';
import type { LayerFile, LayerInfo, LayerSummary, LayerTree, SharedLayer, TreeEntry, TreeHidden } from '../../../shared/types.ts';
import { StrataError } from '../../../shared/errors.ts';

type Reads = Pick<Stores, 'db' | 'images'>;

/** The layers of an image with the images that use each one. */
export function imageLayers(stores: Reads, imageId: string): LayerInfo[] {
  const stmt = stores.db.prepare('SELECT DISTINCT image_id FROM image_layers WHERE diff_id = ? ORDER BY image_id');
  return stores.images.layers(imageId).map((l) => ({
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
export function sharedLayers(stores: Pick<Stores, 'db'>): SharedLayer[] {
  const rows = stores.db.prepare('SELECT diff_id, image_id FROM image_layers').all() as { diff_id: string; image_id: string }[];
  const users = new Map<string, Set<string>>();
  for (const r of rows) {
    let set = users.get(r.diff_id);
    if (!set) users.set(r.diff_id, (set = new Set()));
    set.add(r.image_id);
  }
  const sizes = stores.db.prepare('SELECT diff_id, diff_size AS size FROM layers').all() as { diff_id: string; size: number }[];
  return sizes
    .filter((l) => users.has(l.diff_id))
    .map((l) => ({ diffId: l.diff_id, size: l.size, usedBy: [...users.get(l.diff_id)!].sort() }))
    .sort((a, b) => b.size - a.size || a.diffId.localeCompare(b.diffId));
}

function isUnder(path: string, dir: string): boolean {
  return dir === '' || path.startsWith(`${dir}/`);
}

/** An entry of the merged view below a layer, with the layer that put it there. */
interface LowerEntry {
  file: LayerFile;
  layer: number;
}

/** Applies one layer's entries to the merged view of the layers below it. */
function applyLayer(view: Map<string, LowerEntry>, files: readonly LayerFile[], layer: number): void {
  for (const f of files) {
    if (f.type === 'opaque' || f.type === 'whiteout') {
      if (f.type === 'whiteout') view.delete(f.path);
      for (const p of [...view.keys()]) if (isUnder(p, f.path)) view.delete(p);
    }
  }
  for (const f of files) if (f.type !== 'whiteout' && f.type !== 'opaque') view.set(f.path, { file: f, layer });
}

/**
 * What a whiteout removes from the merged view below it: the entry at its path and everything
 * under it; an opaque directory only what is under it. Directories count as layers, not files.
 */
function hiddenBy(f: LayerFile, lower: Map<string, LowerEntry>): TreeHidden {
  const self = f.type === 'whiteout' ? lower.get(f.path) : undefined;
  const layers = new Set<number>();
  let files = 0;
  let size = 0;
  const count = (e: LowerEntry): void => {
    layers.add(e.layer);
    if (e.file.type === 'dir') return;
    files += 1;
    size += e.file.size;
  };
  if (self) count(self);
  // Only a directory (or a path a lower layer implies by its contents) has anything under it.
  if (f.type === 'opaque' || !self || self.file.type === 'dir') {
    for (const [p, e] of lower) if (p !== f.path && isUnder(p, f.path)) count(e);
  }
  const type = f.type === 'opaque' || (layers.size > 0 && (!self || self.file.type === 'dir')) ? 'dir' : self?.file.type ?? '';
  return { type, files, size, layers: [...layers].sort((a, b) => a - b) };
}

/**
 * Where later layers hide a path: the highest layer that puts a non-directory at it, and the
 * highest layer that deletes a directory's contents (whiteout or opaque). Built once per image
 * so asking for every file of every layer stays linear in the files and their depth.
 */
class HiddenIndex {
  private readonly replaced = new Map<string, number>();
  private readonly cleared = new Map<string, number>();

  constructor(files: readonly (readonly LayerFile[])[]) {
    files.forEach((layer, position) => {
      for (const f of layer) {
        if (f.type === 'dir') continue;
        this.replaced.set(f.path, position);
        if (f.type === 'whiteout' || f.type === 'opaque') this.cleared.set(f.path, position);
      }
    });
  }

  /** Does a layer above `position` replace or delete `path`? */
  hiddenAbove(path: string, position: number): boolean {
    if ((this.replaced.get(path) ?? -1) > position) return true;
    if ((this.cleared.get('') ?? -1) > position) return true;
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      if ((this.cleared.get(path.slice(0, i)) ?? -1) > position) return true;
    }
    return false;
  }
}

/** One layer's entries against the merged view below it and the layers above it. */
function treeOf(layer: Pick<ImageLayer, 'diffId'>, position: number, files: readonly LayerFile[], lower: Map<string, LowerEntry>, hidden: HiddenIndex): LayerTree {
  const entries: TreeEntry[] = [];
  let wastedBytes = 0;
  for (const f of files) {
    const deleted = f.type === 'whiteout' || f.type === 'opaque';
    const change: TreeEntry['change'] = deleted ? 'D' : lower.has(f.path) ? 'M' : 'A';
    const wasted = !deleted && f.type !== 'dir' && hidden.hiddenAbove(f.path, position);
    if (wasted) wastedBytes += f.size;
    entries.push({ path: f.path, type: f.type, size: f.size, linkTarget: f.linkTarget, change, wasted, ...(deleted ? { hides: hiddenBy(f, lower) } : {}) });
  }
  return { diffId: layer.diffId, position, entries, wastedBytes };
}

/** Walks an image's layers bottom up, handing each its tree; the shared work is done once. */
function eachTree(stores: Reads, imageId: string, visit: (tree: LayerTree, layer: ImageLayer) => boolean | void): void {
  const layers = stores.images.layers(imageId);
  eachTreeOf(layers, layers.map((l) => stores.images.layerFiles(l.diffId)), visit);
}

function eachTreeOf<L extends Pick<ImageLayer, 'diffId'>>(layers: readonly L[], files: readonly (readonly LayerFile[])[], visit: (tree: LayerTree, layer: L) => boolean | void): void {
  const hidden = new HiddenIndex(files);
  const lower = new Map<string, LowerEntry>();
  for (const [position, layer] of layers.entries()) {
    if (visit(treeOf(layer, position, files[position]!, lower, hidden), layer) === false) return;
    applyLayer(lower, files[position]!, position);
  }
}

/**
 * The file tree of the layer at `position`: each entry marked A (new), M (replaces a lower file)
 * or D (a whiteout, with what it hides below), and whether a later layer overwrites or deletes it
 * (wasted bytes).
 */
export function layerTree(stores: Reads, imageId: string, position: number): LayerTree {
  const layers = stores.images.layers(imageId);
  return layerTreeOf(imageId, layers, layers.map((l) => stores.images.layerFiles(l.diffId)), position);
}

/** layerTree over file indexes read elsewhere (an engine's export stream): the same rules. */
export function layerTreeOf(imageId: string, layers: readonly Pick<ImageLayer, 'diffId'>[], files: readonly (readonly LayerFile[])[], position: number): LayerTree {
  let found: LayerTree | undefined;
  eachTreeOf(layers, files, (tree) => {
    if (tree.position !== position) return true;
    found = tree;
    return false;
  });
  if (!found) throw new StrataError('not-found', `image ${imageId.slice(7, 19)} has no layer ${position}`, { details: { position } });
  return found;
}

/** The history steps that made layers, oldest first (empty-layer steps skipped). */
function layerSteps(stores: Reads, imageId: string): { createdBy: string; created: number }[] {
  const history = stores.images.readConfig(imageId).history ?? [];
  return history.filter((h) => h.empty_layer !== true).map((h) => ({ createdBy: h.created_by ?? '', created: unixSeconds(h.created) }));
}

/** `image layers`: per layer, its size, the step that made it, A/M/D file counts and wasted bytes. */
export function layerSummaries(stores: Reads, imageId: string): LayerSummary[] {
  const steps = layerSteps(stores, imageId);
  const rows: LayerSummary[] = [];
  eachTree(stores, imageId, (tree, layer) => {
    const files = tree.entries.filter((e) => e.type !== 'dir');
    rows.push({
      position: tree.position,
      diffId: layer.diffId,
      size: layer.diffSize,
      createdBy: steps[tree.position]?.createdBy ?? '',
      created: steps[tree.position]?.created ?? 0,
      added: files.filter((e) => e.change === 'A').length,
      modified: files.filter((e) => e.change === 'M').length,
      deleted: files.filter((e) => e.change === 'D').length,
      wastedBytes: tree.wastedBytes,
    });
  });
  return rows;
}
