import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lowerEntry, writeOpaque } from '../snapshot/rootfs.ts';
import { walkTree } from '../snapshot/safe-path.ts';
import { namespaceArgs, overlayOptions, removeTree } from './sandbox.ts';

/**
 * Which directories of an upper dir overlayfs marked opaque (removed and made again), found
 * without reading xattrs (Node cannot): every upper directory that also exists below gets a
 * marker file in an extra layer placed just under the upper dir; in a read-only overlay mount of
 * (upper, markers, lowers) a marker is hidden exactly when its directory is opaque. One mount
 * answers every candidate; the result goes to `<upperDir>.opaque`, which `changes`,
 * `layerFromUpper` and the file view read. Runs after each process, so reads stay spawn-free.
 */
export async function detectOpaqueDirs(lowerDirs: readonly string[], upperDir: string): Promise<string[]> {
  const candidates: string[] = [];
  // A running container may swap a directory for a link meanwhile: the walk never follows one.
  walkTree(upperDir, (rel, st) => {
    if (!st.isDirectory()) return false;
    if (lowerEntry(lowerDirs, rel)?.stat.isDirectory()) candidates.push(rel);
    return true;
  });
  if (candidates.length === 0) {
    writeOpaque(upperDir, []);
    return [];
  }
  const scratch = mkdtempSync(join(tmpdir(), 'strata-probe-'));
  const marker = `.strata-probe-${randomBytes(4).toString('hex')}`;
  try {
    const markers = join(scratch, 'markers');
    for (const d of candidates) {
      mkdirSync(join(markers, d), { recursive: true });
      writeFileSync(join(markers, d, marker), '');
    }
    mkdirSync(join(scratch, 'm'));
    const overlay = overlayOptions([upperDir, markers, ...[...lowerDirs].reverse()]);
    const script = 'set -e; cd "$1"; mount -t overlay overlay -o "ro,$2" "$3"; m="$3"; k="$4"; shift 4; ' +
      'for d; do [ -e "$m/$d/$k" ] || printf "%s\\n" "$d"; done';
    const args = [...namespaceArgs(), '/bin/sh', '-c', script, 'sh', overlay.cwd, overlay.options, join(scratch, 'm'), marker, ...candidates];
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
    // Inside an opaque directory every marker is hidden: only the outermost one is opaque itself.
    const opaque = found.filter((d) => !found.some((o) => d.startsWith(`${o}/`)));
    writeOpaque(upperDir, opaque);
    return opaque;
  } finally {
    removeTree(scratch);
  }
}
