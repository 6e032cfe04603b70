import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * moby's pkg/directory `Size`, the rule docker applies to a container's writable layer (overlay2
 * `DiffSize` of the upper directory): the sizes of regular files and symlinks, each inode once,
 * directories and zero-sized entries (whiteouts are 0/0 devices) not counted. Never follows a
 * link; entries that vanish during the walk are skipped, as moby's walk does.
 */
export function directorySize(root: string): number {
  const seen = new Set<string>();
  let total = 0;
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const path = join(dir, n);
      let st;
      try {
        st = lstatSync(path, { bigint: true });
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        walk(path);
        continue;
      }
      if (st.size === 0n) continue;
      const inode = `${st.dev}:${st.ino}`;
      if (seen.has(inode)) continue;
      seen.add(inode);
      total += Number(st.size);
    }
  };
  walk(root);
  return total;
}
