import { spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lowerEntry, lstatOrUndefined, writeOpaque } from '../snapshot/rootfs.ts';
import { isWhiteout } from '../snapshot/whiteout.ts';
import { namespaceArgs, overlayOptions } from './sandbox.ts';

/**
 * Which directories of an upper dir overlayfs marked opaque (removed and made again), found
 * without reading xattrs (Node cannot): a directory that exists below and has a lower entry the
 * upper dir neither holds nor whites out is opaque exactly when that entry is hidden in the
 * merged view. One read-only overlay mount answers every candidate at once; the result goes to
 * `<upperDir>.opaque`, which `changes`, `layerFromUpper` and the file view read.
 */
export async function detectOpaqueDirs(lowerDirs: readonly string[], upperDir: string): Promise<string[]> {
  const probes: { dir: string; name: string }[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(upperDir, rel))) {
      const childRel = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(upperDir, childRel));
      if (!st.isDirectory()) continue;
      const below = lowerEntry(lowerDirs, childRel);
      const hidden = below?.stat.isDirectory() ? firstLowerName(lowerDirs, upperDir, childRel) : undefined;
      if (hidden) probes.push({ dir: childRel, name: hidden });
      walk(childRel);
    }
  };
  walk('');
  if (probes.length === 0) {
    writeOpaque(upperDir, []);
    return [];
  }
  const mount = mkdtempSync(join(tmpdir(), 'strata-probe-'));
  try {
    mkdirSync(join(mount, 'm'));
    const overlay = overlayOptions([upperDir, ...[...lowerDirs].reverse()]);
    const script = 'set -e; cd "$1"; mount -t overlay overlay -o "ro,$2" "$3"; m="$3"; shift 3; ' +
      'while [ $# -gt 0 ]; do [ -e "$m/$1/$2" ] || [ -L "$m/$1/$2" ] || printf "%s\\n" "$1"; shift 2; done';
    const args = [...namespaceArgs(), '/bin/sh', '-c', script, 'sh', overlay.cwd, overlay.options, join(mount, 'm'), ...probes.flatMap((p) => [p.dir, p.name])];
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('unshare', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`opaque probe failed: ${stderr.trim()}`))));
    });
    const found = out.split('\n').filter(Boolean);
    // A directory inside an opaque one is new, not opaque itself.
    const opaque = found.filter((d) => !found.some((o) => d.startsWith(`${o}/`)));
    writeOpaque(upperDir, opaque);
    return opaque;
  } finally {
    rmSync(mount, { recursive: true, force: true });
  }
}

/** A name some lower layer has in `rel` that the upper dir neither holds nor whites out. */
function firstLowerName(lowerDirs: readonly string[], upperDir: string, rel: string): string | undefined {
  for (let i = lowerDirs.length - 1; i >= 0; i--) {
    let names: string[];
    try {
      names = readdirSync(join(lowerDirs[i]!, rel));
    } catch {
      continue;
    }
    for (const n of names) {
      const st = lstatOrUndefined(join(lowerDirs[i]!, rel, n));
      if (!st || isWhiteout(st)) continue;
      if (!lstatOrUndefined(join(upperDir, rel, n)) && lowerEntry(lowerDirs, `${rel}/${n}`)) return n;
    }
  }
  return undefined;
}
