import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTree } from '../src/main/engine/snapshot/rootfs.ts';

/**
 * A fresh temporary directory, removed by the returned cleanup (rootless with subordinate IDs,
 * through the user namespace where those IDs own files: removeTree).
 */
export function tempDir(prefix = 'strata-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => removeTree(path) };
}
