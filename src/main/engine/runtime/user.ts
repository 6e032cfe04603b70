import type { RootfsView } from '../snapshot/rootfs.ts';
import { ExecError } from './exec-error.ts';

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Home directory from /etc/passwd ('/' when unknown, like runc). */
  home: string;
  /**
   * Supplementary groups, as docker gives them: the primary group and, unless a group was asked
   * for (`-u user:group`), every group of /etc/group that lists the user by name.
   */
  groups: number[];
}

function table(view: RootfsView, file: string): string[][] {
  return (view.readText(file) ?? '')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

/**
 * docker's `--user` rules (moby/sys/user GetExecUser): a name must be in the rootfs's /etc/passwd;
 * a numeric uid may be absent from it (gid then defaults to 0); `:group` is a name in /etc/group
 * or a number.
 */
export function resolveUser(view: RootfsView, spec: string | undefined): ResolvedUser {
  const [userPart = '', groupPart] = (spec ?? '').split(':', 2);
  const passwd = table(view, '/etc/passwd');
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined;
  if (userPart === '') {
    const root = passwd.find((p) => p[2] === '0');
    // Without an entry for uid 0 (or without /etc/passwd) moby's GetExecUser keeps its default `/`.
    if (root) home = root[5] || '/';
    name = root?.[0];
  } else {
    const byName = passwd.find((p) => p[0] === userPart);
    const byId = /^\d+$/.test(userPart) ? passwd.find((p) => p[2] === userPart) : undefined;
    const entry = byName ?? byId;
    if (!entry && !/^\d+$/.test(userPart)) throw new ExecError(`unable to find user ${userPart}: no matching entries in passwd file`, 126);
    uid = entry ? Number(entry[2]) : Number(userPart);
    gid = entry ? Number(entry[3]) : 0;
    home = entry?.[5] || '/';
    name = entry?.[0];
  }
  const groups = table(view, '/etc/group');
  if (groupPart !== undefined && groupPart !== '') {
    const group = groups.find((g) => g[0] === groupPart || (/^\d+$/.test(groupPart) && g[2] === groupPart));
    if (!group && !/^\d+$/.test(groupPart)) throw new ExecError(`unable to find group ${groupPart}: no matching entries in group file`, 126);
    gid = group ? Number(group[2]) : Number(groupPart);
    return { uid, gid, home, groups: [gid] };
  }
  const member = groups.filter((g) => name !== undefined && (g[3] ?? '').split(',').includes(name)).map((g) => Number(g[2]));
  // The kernel takes at most NGROUPS_MAX (65536) supplementary groups.
  return { uid, gid, home, groups: [...new Set([gid, ...member.filter((g) => Number.isInteger(g) && g >= 0)])].slice(0, 65536) };
}
