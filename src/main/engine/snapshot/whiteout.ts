import { spawnSync } from 'node:child_process';
import type { Stats, BigIntStats } from 'node:fs';

/** Running as the host's root: ownership is kept as the layers say, device nodes can be made. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** An overlayfs whiteout: a character device with device number 0:0. */
export function isWhiteout(st: Stats | BigIntStats): boolean {
  return st.isCharacterDevice() && Number(st.rdev) === 0;
}

/**
 * Creates overlayfs whiteouts (0:0 character devices). Node has no mknod, so one `mknod` process
 * makes them all; since Linux 5.8 an unprivileged user may create whiteouts too.
 */
export function makeWhiteouts(paths: readonly string[]): void {
  if (paths.length === 0) return;
  const res = spawnSync('/bin/sh', ['-c', 'for p; do mknod "$p" c 0 0 || exit 1; done', 'sh', ...paths], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`cannot create whiteout: ${(res.stderr || res.error?.message || '').trim()}`);
}

export function makeDevice(path: string, type: 'character-device' | 'block-device' | 'fifo', major: number, minor: number): void {
  const args = type === 'fifo' ? [path, 'p'] : [path, type === 'character-device' ? 'c' : 'b', String(major), String(minor)];
  const res = spawnSync('mknod', args, { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`cannot create device node ${path}: ${(res.stderr || res.error?.message || '').trim()}`);
}
