import { accessSync, constants } from 'node:fs';
import type { RootfsView } from '../snapshot/rootfs.ts';
import { isRoot } from '../snapshot/whiteout.ts';
import { launch, resolveCommand, type SandboxProcess } from '../runtime/sandbox.ts';
import type { ResolvedUser } from '../runtime/user.ts';
import { StrataError } from '../../../shared/errors.ts';

function nsenterPath(): string {
  for (const p of ['/usr/bin/nsenter', '/bin/nsenter', '/usr/sbin/nsenter']) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  throw new StrataError('unsupported', 'util-linux nsenter is not installed');
}

/**
 * `exec`: a new process joins the namespaces of a running container's init (mount, pid, uts,
 * ipc, and the user namespace when rootless) and its root, via nsenter, which forks into the pid
 * namespace and execs the command found on the container's PATH inside its root.
 */
export async function execInContainer(spec: {
  initPid: number; view: RootfsView; args: string[]; env: string[]; cwd: string; user: ResolvedUser; tty: boolean;
  size?: { cols: number; rows: number };
}): Promise<SandboxProcess> {
  if (spec.args.length === 0) throw new StrataError('invalid', 'exec: no command specified');
  resolveCommand(spec.view, spec.args[0]!, spec.env);
  const env: NodeJS.ProcessEnv = {};
  for (const e of spec.env) {
    const eq = e.indexOf('=');
    if (eq > 0) env[e.slice(0, eq)] = e.slice(eq + 1);
  }
  const args = [
    '--target', String(spec.initPid), ...(isRoot() ? [] : ['--user', '--preserve-credentials']), '--mount', '--uts', '--ipc', '--pid',
    '--root', `--wdns=${spec.cwd}`, ...(spec.user.uid !== 0 || spec.user.gid !== 0 ? ['--setgid', String(spec.user.gid), '--setuid', String(spec.user.uid)] : []),
    '--', ...spec.args,
  ];
  return launch({ file: nsenterPath(), args, env }, { tty: spec.tty, ...(spec.size ? { size: spec.size } : {}) });
}
