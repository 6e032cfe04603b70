/**
 * What one path of an image's merged filesystem is, read from the layers' file indexes for that
 * path and its parents only. Making the whole merged view (image-view.ts) reads every file of
 * every layer — ≈ 12,600 rows and as many objects on a Debian base — which a COPY that writes a
 * few paths does not need: it asks for its destination and the parents of what it writes.
 *
 * The answer is the one `ImageView.apply` gives layer by layer, bottom first (a test compares
 * both on random layer stacks): within a layer, whiteouts and opaque markers apply first, then
 * its entries in path order, and an entry that is not a directory over a directory hides what
 * the layers below held inside it. Looked at from the top: the topmost layer naming the path
 * gives its entry, unless a layer above it (or it, for what is below) hid it.
 */
import type { Stores } from '../stores.ts';
import type { LayerFile } from '../api.ts';

/** One layer's entries at one path (a layer may name a path as an entry and as a marker). */
interface Slot {
  entry?: LayerFile;
  whiteout: boolean;
  opaque: boolean;
}

interface StackLayer {
  diffId: string;
  /** The layer's index in memory (a layer this build wrote), or read from SQLite on demand. */
  files?: readonly LayerFile[];
  slots?: Map<string, Slot>;
  /** SQLite rows read so far, by path (`null`: the layer has nothing there). */
  read?: Map<string, Slot | null>;
}

type Row = Omit<LayerFile, 'linkTarget'> & { link_target: string };

export class LayerStack {
  private readonly layers: StackLayer[] = [];
  private readonly seen = new Map<string, (LayerFile & { diffId: string }) | null>();
  private readonly engine: Pick<Stores, 'db'>;
  private rowAt?: (diffId: string, path: string) => Row | undefined;

  constructor(engine: Pick<Stores, 'db'>) {
    this.engine = engine;
  }

  /** Adds a layer on top: its files when known, else they are read from the store as needed. */
  push(diffId: string, files?: readonly LayerFile[]): void {
    if (!files) {
      this.layers.push({ diffId, read: new Map() });
      return;
    }
    const slots = new Map<string, Slot>();
    for (const f of files) {
      const s = slots.get(f.path) ?? { whiteout: false, opaque: false };
      if (f.type === 'whiteout') s.whiteout = true;
      else if (f.type === 'opaque') s.opaque = true;
      else s.entry = f;
      slots.set(f.path, s);
    }
    this.layers.push({ diffId, files, slots });
  }

  get diffIds(): string[] {
    return this.layers.map((l) => l.diffId);
  }

  /** The layers' files bottom first, as `ImageView.apply` takes them. */
  files(read: (diffId: string) => LayerFile[]): { diffId: string; files: LayerFile[] }[] {
    return this.layers.map((l) => ({
      diffId: l.diffId,
      files: l.files ? [...l.files] : read(l.diffId),
    }));
  }

  /** The visible entry at `path` (image-relative, no leading slash). */
  get(path: string): (LayerFile & { diffId: string }) | undefined {
    return this.lookup(path, this.layers.length);
  }

  /** The entry at `path` as the layers below `top` make it. */
  private lookup(path: string, top: number): (LayerFile & { diffId: string }) | undefined {
    const key = `${top}\0${path}`;
    const known = this.seen.get(key);
    if (known !== undefined) return known ?? undefined;
    const found = this.find(path, top);
    this.seen.set(key, found ?? null);
    return found;
  }

  private find(path: string, top: number): (LayerFile & { diffId: string }) | undefined {
    const parents = parentsOf(path);
    for (let i = top - 1; i >= 0; i--) {
      const own = this.slot(i, path);
      if (own?.entry) return { ...own.entry, diffId: this.layers[i]!.diffId };
      if (own?.whiteout) return undefined;
      for (const p of parents) {
        const s = this.slot(i, p);
        if (!s) continue;
        // A whiteout of a parent, an opaque parent, or a parent replaced by a non-directory
        // where the layers below had a directory: what those layers held here is gone.
        if ((s.whiteout && p !== '') || s.opaque) return undefined;
        if (s.entry && s.entry.type !== 'dir' && this.lookup(p, i)?.type === 'dir') return undefined;
      }
    }
    return undefined;
  }

  private slot(i: number, path: string): Slot | undefined {
    const layer = this.layers[i]!;
    if (layer.slots) return layer.slots.get(path);
    const cached = layer.read!.get(path);
    if (cached !== undefined) return cached ?? undefined;
    this.rowAt ??= rowReader(this.engine);
    const row = this.rowAt(layer.diffId, path);
    const slot = row ? slotOf(row) : null;
    layer.read!.set(path, slot);
    return slot ?? undefined;
  }
}

function rowReader(engine: Pick<Stores, 'db'>): (diffId: string, path: string) => Row | undefined {
  const stmt = engine.db.prepare('SELECT path, type, mode, uid, gid, size, link_target, mtime FROM layer_files WHERE diff_id = ? AND path = ?');
  return (diffId, path) => stmt.get(diffId, path) as Row | undefined;
}

function slotOf(r: Row): Slot {
  if (r.type === 'whiteout') return { whiteout: true, opaque: false };
  if (r.type === 'opaque') return { whiteout: false, opaque: true };
  return { whiteout: false, opaque: false, entry: { path: r.path, type: r.type, mode: r.mode, uid: r.uid, gid: r.gid, size: r.size, linkTarget: r.link_target, mtime: r.mtime } };
}

/** `a/b/c` → `''`, `a`, `a/b`: the root and every parent directory of a path. */
function parentsOf(path: string): string[] {
  if (path === '') return [];
  const out = [''];
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}
