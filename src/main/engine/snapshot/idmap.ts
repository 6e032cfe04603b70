/**
 * How container user IDs map to the host's (see docs/containers.md, "User IDs"):
 * - `root`: Strata runs as the host's root; IDs are the host's, as with docker.
 * - `subordinate`: rootless with a range in /etc/subuid and /etc/subgid, as podman and rootless
 *   docker: container 0 is the user, 1..N are the subordinate range, mapped by newuidmap and
 *   newgidmap (through util-linux unshare's --map-users/--map-groups, 2.38 and later).
 * - `single`: rootless without a range: only the user is mapped (container 0); a non-root USER's
 *   files are the user's too ("limited: all files owned by you").
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';

export type IdMappingMode = 'root' | 'subordinate' | 'single';

export interface IdRange {
  /** First host ID of the range (container ID 1). */
  start: number;
  count: number;
}

export interface IdMapping {
  mode: IdMappingMode;
  uid: number;
  gid: number;
  user: string;
  subUid?: IdRange;
  subGid?: IdRange;
  /** Why the mapping is `single`, with the fix. */
  limited?: string;
}

/**
 * The first range of `user` (by name or numeric ID) in an /etc/subuid-style text
 * (`name:start:count` lines), or undefined.
 */
export function parseSubordinate(text: string, user: string, id: number): IdRange | undefined {
  for (const line of text.split('\n')) {
    const [owner, start, count] = line.trim().split(':');
    if (owner !== user && owner !== String(id)) continue;
    if (!/^\d+$/.test(start ?? '') || !/^\d+$/.test(count ?? '')) continue;
    if (Number(count) > 0) return { start: Number(start), count: Number(count) };
  }
  return undefined;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * True inside a user namespace other than the host's (a worker under `unshare`): root there is
 * not the host's root (no device nodes, overlayfs needs `userxattr`).
 */
export function inUserNamespace(): boolean {
  const map = readText('/proc/self/uid_map').trim().split(/\s+/);
  return map.length > 0 && map.join(' ') !== '0 0 4294967295';
}

/** The host's own root, outside any user namespace. */
export function hostRoot(): boolean {
  return process.getuid?.() === 0 && !inUserNamespace();
}

/** The command that gives `user` a subordinate range (the range Debian gives its first user). */
export function subordinateFix(user: string): string {
  return `sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user}`;
}

function limitedMessage(user: string, why: string): string {
  return `${why}: running with a single ID mapping (limited: all files owned by you, a non-root USER is not separated from root). To fix: ${subordinateFix(user)}`;
}

/** util-linux unshare arguments for the user namespace of each mode. */
function userNamespaceArgsOf(m: Pick<IdMapping, 'mode' | 'subUid' | 'subGid'>): string[] {
  if (m.mode === 'root') return [];
  if (m.mode === 'single') return ['--map-root-user'];
  // 0 is the user itself; 1..count the subordinate range (`outer,inner,count`, util-linux 2.38's syntax, still read by later versions).
  return ['--map-user=0', '--map-group=0', `--map-users=${m.subUid!.start},1,${m.subUid!.count}`, `--map-groups=${m.subGid!.start},1,${m.subGid!.count}`];
}

function detect(): IdMapping {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  let user = String(uid);
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry: the numeric ID is all /etc/subuid can name */
  }
  if (uid === 0) return { mode: 'root', uid, gid, user };
  if (process.env.STRATA_ID_MAPPING === 'single') return { mode: 'single', uid, gid, user, limited: limitedMessage(user, 'STRATA_ID_MAPPING=single') };
  const subUid = parseSubordinate(readText('/etc/subuid'), user, uid);
  const subGid = parseSubordinate(readText('/etc/subgid'), user, uid);
  if (!subUid || !subGid) return { mode: 'single', uid, gid, user, limited: limitedMessage(user, `no subordinate IDs for ${user} in /etc/subuid and /etc/subgid`) };
  const mapping: IdMapping = { mode: 'subordinate', uid, gid, user, subUid, subGid };
  // newuidmap/newgidmap (uidmap package) and unshare's --map-users must work: try once.
  const res = spawnSync('unshare', [...userNamespaceArgsOf(mapping), 'true'], { encoding: 'utf8' });
  if (res.status !== 0) {
    const why = (res.stderr || res.error?.message || '').trim().split('\n')[0] ?? '';
    return { mode: 'single', uid, gid, user, limited: limitedMessage(user, `subordinate IDs cannot be mapped (is the uidmap package installed?): ${why}`) };
  }
  return mapping;
}

let cached: IdMapping | undefined;

/** This process's mapping, found once. */
export function idMapping(): IdMapping {
  cached ??= detect();
  return cached;
}

let noticeGiven = false;

/** The "limited" notice with its fix, the first time it is asked for in this process only. */
export function takeLimitedNotice(): string | undefined {
  const limited = idMapping().limited;
  if (!limited || noticeGiven) return undefined;
  noticeGiven = true;
  return limited;
}

/** unshare arguments that enter the user namespace of this process's mapping (none as root). */
export function userNamespaceArgs(): string[] {
  return userNamespaceArgsOf(idMapping());
}

/**
 * Host owner → the owner a container sees (and a layer records): identity as root (and inside a
 * worker in the namespace, where IDs already are the container's); the user is 0; a subordinate
 * ID is its offset + 1; anything unmapped is the overflow ID 65534, as the kernel shows it.
 */
export function toContainerOwner(uid: number, gid: number): { uid: number; gid: number } {
  const m = idMapping();
  if (m.mode === 'root') return { uid, gid };
  const one = (id: number, own: number, range: IdRange | undefined): number => {
    if (id === own) return 0;
    if (range && id >= range.start && id < range.start + range.count) return id - range.start + 1;
    return m.mode === 'single' ? id : 65534;
  };
  return { uid: one(uid, m.uid, m.subUid), gid: one(gid, m.gid, m.subGid) };
}

/** Starts `command` in this process's user namespace (subordinate mode), as its root. */
export function spawnInUserNamespace(command: string, args: readonly string[], stdio: StdioOptions, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn('unshare', [...userNamespaceArgs(), '--', command, ...args], { stdio, env });
}

/**
 * Removes paths from inside the namespace, where its root may remove what subordinate IDs own
 * (the user cannot: such directories are not theirs to write). Throws when `rm` fails.
 */
export function removeInUserNamespace(paths: readonly string[]): void {
  const res = spawnSync('unshare', [...userNamespaceArgs(), '--', 'rm', '-rf', '--', ...paths], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`cannot remove ${paths.join(' ')}: ${(res.stderr || res.error?.message || '').trim()}`);
}
