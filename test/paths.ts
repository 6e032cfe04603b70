import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** Repository root (the folder holding package.json). */
export const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Shared conformance vectors; they live beside the checkout and are never copied in. */
export const conformanceDir = process.env.STRATA_CONFORMANCE ?? resolve(repoRoot, '../shared/conformance');
