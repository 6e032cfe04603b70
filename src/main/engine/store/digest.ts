import type { Hash } from 'node:crypto';
import { StrataError } from '../../../shared/errors.ts';

/** `sha256:` followed by exactly 64 lowercase hex digits — the only algorithm Strata stores. */
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: unknown): boolean {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/** Throws a clear error unless `value` is a canonical sha256 digest. */
export function assertDigest(value: unknown, what = 'digest'): string {
  if (typeof value !== 'string' || !isDigest(value)) {
    throw new StrataError('invalid', `invalid ${what}: ${JSON.stringify(value)} (expected sha256:<64 hex digits>)`);
  }
  return value;
}

export function hexOf(digest: string): string {
  return assertDigest(digest).slice('sha256:'.length);
}

export function sha256Hasher(): Hash {
  return process.getBuiltinModule('node:crypto').createHash('sha256');
}

export function digestOf(data: string | Uint8Array): string {
  return `sha256:${sha256Hasher().update(data).digest('hex')}`;
}

/**
 * OCI chain IDs: ChainID(L0) = DiffID(L0); ChainID(L0|…|Ln) = sha256(ChainID(L0|…|Ln-1) + " " + DiffID(Ln)).
 */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const parent = out.at(-1);
    out.push(parent === undefined ? diffId : digestOf(`${parent} ${diffId}`));
  }
  return out;
}
