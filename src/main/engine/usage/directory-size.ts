import { walkTree } from '../snapshot/safe-path.ts';

/**
 * moby's pkg/directory `Size`, the rule docker applies to a container's writable layer (overlay2
 * `DiffSize` of the upper directory): the sizes of regular files and symlinks, each inode once,
 * directories and zero-sized entries (whiteouts are 0/0 devices) not counted. Never through a
 * link: a running container may swap a directory for one meanwhile; a tree removed meanwhile is 0.
 */
export function directorySize(root: string): number {
  const seen = new Set<string>();
  let total = 0;
  try {
    walkTree(root, (_rel, st) => {
      if (st.isDirectory()) return true;
      if (st.size === 0) return false;
      const inode = `${st.dev}:${st.ino}`;
      if (!seen.has(inode)) {
        seen.add(inode);
        total += st.size;
      }
      return false;
    });
  } catch {
    /* removed meanwhile */
  }
  return total;
}
