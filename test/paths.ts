import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/** Repository root (the folder holding package.json). */
export const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * Shared conformance vectors (docker, BuildKit and moby test data): `$STRATA_CONFORMANCE`, else
 * `../shared/conformance` beside the checkout. They are never copied into this repository.
 */
export const conformanceDir = process.env.STRATA_CONFORMANCE ?? resolve(repoRoot, '../shared/conformance');

/** Why the conformance vectors under `sub` cannot be read here, or undefined when they can. */
export function conformanceMissing(sub = ''): string | undefined {
  const dir = join(conformanceDir, sub);
  return existsSync(dir) ? undefined : `no conformance data at ${dir} (set STRATA_CONFORMANCE or check out ../shared/conformance)`;
}
