/**
 * User and group names as an image knows them: `--chown`, `USER` and WORKDIR ownership resolve
 * names through the image's own /etc/passwd and /etc/group, never the host's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Stores } from '../stores.ts';
import type { ImageView } from './image-view.ts';
import type { Owner } from './copy.ts';
import { StrataError } from '../../../shared/errors.ts';

async function readImageFile(engine: Pick<Stores, 'content' | 'db' | 'images'>, view: ImageView, path: string, scratch: string): Promise<string | undefined> {
  const resolved = view.resolve(path).replace(/^\//, '');
  const entry = view.get(resolved);
  if (!entry || (entry.type !== 'file' && entry.type !== 'hardlink')) return undefined;
  const dir = mkdtempSync(join(scratch, 'etc-'));
  try {
    await view.extract(engine, [entry], dir);
    return readFileSync(join(dir, resolved), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lookup(text: string | undefined, name: string): string[] | undefined {
  for (const line of (text ?? '').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return f;
  }
  return undefined;
}

const NUMERIC = /^\d+$/;

/**
 * Resolves `user[:group]` (names or IDs). Without a group, docker's rule applies: the user's
 * primary group for a name found in passwd, else the same number as the UID.
 */
export async function resolveOwner(engine: Pick<Stores, 'content' | 'db' | 'images'>, view: ImageView, spec: string, scratch: string): Promise<Owner> {
  const colon = spec.indexOf(':');
  const user = colon < 0 ? spec : spec.slice(0, colon);
  const group = colon < 0 ? '' : spec.slice(colon + 1);
  let passwd: string | undefined;
  let uid: number;
  let primaryGid: number | undefined;
  if (NUMERIC.test(user)) {
    uid = Number(user);
  } else {
    passwd = await readImageFile(engine, view, '/etc/passwd', scratch);
    const entry = lookup(passwd, user);
    if (!entry) throw new StrataError('invalid', `unable to convert uid/gid chown string to host mapping: can't find uid for user ${user}: no such user: ${user}`);
    uid = Number(entry[2]);
    primaryGid = Number(entry[3]);
  }
  let gid: number;
  if (group === '') gid = colon < 0 ? (primaryGid ?? uid) : uid;
  else if (NUMERIC.test(group)) gid = Number(group);
  else {
    const entry = lookup(await readImageFile(engine, view, '/etc/group', scratch), group);
    if (!entry) throw new StrataError('invalid', `unable to convert uid/gid chown string to host mapping: can't find gid for group ${group}: no such group: ${group}`);
    gid = Number(entry[2]);
  }
  return { uid, gid };
}
