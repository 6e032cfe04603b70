/** The namespace and overlayfs arguments every sandboxed mount uses (the sandbox and the opaque probe). */
import { hostRoot, userNamespaceArgs } from '../snapshot/idmap.ts';
import { StrataError } from '../../../shared/errors.ts';

/**
 * Root keeps the host's IDs (like docker); anyone else becomes root of a new user namespace,
 * mapped with the subordinate range when there is one (snapshot/idmap.ts).
 */
export function namespaceArgs(): string[] {
  return [...userNamespaceArgs(), '--mount', '--propagation', 'private'];
}

/** overlayfs options for our layers; in a user namespace overlayfs keeps its marks in user.* xattrs. */
export function overlayOptions(lowerTopFirst: string[], upperDir?: string, workDir?: string): { cwd: string; options: string } {
  for (const d of [...lowerTopFirst, upperDir ?? '', workDir ?? '']) {
    if (/[,:]/.test(d)) throw new StrataError('invalid', `overlayfs cannot use a path containing ',' or ':': ${d}`);
  }
  let cwd = '/';
  let lowers = lowerTopFirst;
  // The mount data is one page: with many layers, name them relative to a shared parent.
  if (lowers.join(':').length > 3000) {
    const parent = lowers[0]!.split('/').slice(0, -2).join('/');
    if (lowers.every((l) => l.startsWith(`${parent}/`))) {
      cwd = parent;
      lowers = lowers.map((l) => l.slice(parent.length + 1));
    }
  }
  let options = `lowerdir=${lowers.join(':')}`;
  if (upperDir && workDir) options += `,upperdir=${upperDir},workdir=${workDir}`;
  if (!hostRoot()) options += ',userxattr';
  return { cwd, options };
}
