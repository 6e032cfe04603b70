/**
 * A layer's file list as a tree for the files tab: every entry under its folders (folders the
 * layer does not list itself are added, marked `implied`), each folder with the bytes of the files
 * below it in this layer, in depth-first order. `visibleRows` applies collapsing and a search; a
 * match always keeps the folders above it, so a row never loses its path.
 */
import type { TreeEntry, TreeHidden } from '../../../shared/contract.ts';

export interface TreeRow {
  key: string;
  path: string;
  name: string;
  depth: number;
  type: string;
  /** A file's size, or a folder's total of the files below it. */
  size: number;
  change: TreeEntry['change'] | '';
  wasted: boolean;
  linkTarget: string;
  isDir: boolean;
  /** A folder the layer does not hold itself: shown only to place what is in it. */
  implied: boolean;
  /** Index of the row's parent folder in the tree (-1 at the top). */
  parent: number;
  /** D rows: what the whiteout removes from the layers below. */
  hides?: TreeHidden;
  /** An opaque folder: it hides what lower layers hold under it (its own entries stay). */
  opaque: boolean;
}

const clean = (p: string): string => p.replace(/^\.?\/+/, '').replace(/\/+$/, '');

/** A folder the layer lists and also makes opaque is one row: the folder, marked D for what it hides. */
function mergeOpaque(a: TreeEntry, b: TreeEntry): TreeEntry {
  const [opaque, dir] = a.type === 'opaque' ? [a, b] : [b, a];
  return { ...dir, type: 'opaque', change: 'D', ...(opaque.hides ? { hides: opaque.hides } : {}) };
}

export function buildTree(entries: readonly TreeEntry[]): TreeRow[] {
  const byPath = new Map<string, TreeEntry>();
  for (const e of entries) {
    const path = clean(e.path);
    if (!path) continue;
    const prev = byPath.get(path);
    byPath.set(path, prev && (prev.type === 'opaque') !== (e.type === 'opaque') ? mergeOpaque(prev, e) : e);
  }
  const children = new Map<string, string[]>();
  const add = (path: string): void => {
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    const list = children.get(parent);
    if (list) {
      if (!list.includes(path)) list.push(path);
      return;
    }
    children.set(parent, [path]);
    if (parent !== '') add(parent);
  };
  for (const p of byPath.keys()) add(p);
  const isDir = (p: string): boolean => children.has(p) || byPath.get(p)?.type === 'dir' || byPath.get(p)?.type === 'opaque';
  const rows: TreeRow[] = [];
  const walk = (dir: string, depth: number, parent: number): number => {
    let total = 0;
    const names = (children.get(dir) ?? []).sort((a, b) => Number(isDir(b)) - Number(isDir(a)) || a.localeCompare(b));
    for (const path of names) {
      const e = byPath.get(path);
      const index = rows.length;
      const dirRow = isDir(path);
      rows.push({
        key: path, path, name: path.slice(path.lastIndexOf('/') + 1), depth, type: e?.type ?? 'dir', size: e?.size ?? 0,
        change: e?.change ?? '', wasted: e?.wasted ?? false, linkTarget: e?.linkTarget ?? '', isDir: dirRow, implied: !e, parent,
        opaque: e?.type === 'opaque', ...(e?.hides ? { hides: e.hides } : {}),
      });
      if (dirRow) rows[index]!.size = walk(path, depth + 1, index);
      // A whiteout adds nothing; an opaque folder's own new files count.
      total += e?.type === 'whiteout' ? 0 : rows[index]!.size;
    }
    return total;
  };
  walk('', 0, -1);
  return rows;
}

/** What the table shows: rows under a collapsed folder are hidden, unless a search is on (then matches and their folders). */
export function visibleRows(tree: readonly TreeRow[], collapsed: ReadonlySet<string>, match?: (r: TreeRow) => boolean): TreeRow[] {
  if (match) {
    const keep = new Set<number>();
    tree.forEach((r, i) => {
      if (!match(r)) return;
      for (let j = i; j >= 0 && !keep.has(j); j = tree[j]!.parent) keep.add(j);
    });
    return tree.filter((_, i) => keep.has(i));
  }
  const hidden = new Set<number>();
  return tree.filter((r, i) => {
    if (r.parent >= 0 && (hidden.has(r.parent) || collapsed.has(tree[r.parent]!.path))) {
      hidden.add(i);
      return false;
    }
    return true;
  });
}
