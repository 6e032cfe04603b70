import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, lchownSync, chmodSync, utimesSync } from 'node:fs';
import { tmpdir, constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { RootfsView, lowerEntry, removeTree } from '../snapshot/rootfs.ts';
import { isRoot } from '../snapshot/whiteout.ts';
import { idMapping } from '../snapshot/idmap.ts';
import { detectOpaqueDirs } from './opaque.ts';
import { ExecError } from './exec-error.ts';
import { namespaceArgs, overlayOptions } from './mounts.ts';
import { resolveUser, type ResolvedUser } from './user.ts';
import { materializeRootfs, syncBackRootfs } from './copy-rootfs.ts';
import { StrataError } from '../../../shared/errors.ts';
import { DEFAULT_CAPS, procAndSysArgs, type NetworkMode } from './policy.ts';
import { compileSeccomp, DEFAULT_PROFILE, seccompArch } from './seccomp.ts';
import { which } from './which.ts';
import { execShim, shimArgs, SHIM_FD } from './exec-shim.ts';

export interface ProcessSpec {
  args: string[];
  env: string[];
  cwd: string;
  /** `name`, `uid`, `name:group` or `uid:gid`, resolved with the rootfs's /etc/passwd and /etc/group. */
  user?: string;
  tty?: boolean;
  hostname?: string;
}

export interface SandboxSpec {
  /** Read-only layers, lowest first (Snapshotter.lowerDirs). */
  lowerDirs: string[];
  /** The writable layer; its sibling `<upperDir>.opaque` remembers overlayfs's opaque directories. */
  upperDir: string;
  /** overlayfs's work directory: empty or previously used with the same upper dir, same filesystem. */
  workDir: string;
  process: ProcessSpec;
  /**
   * `none` (default) and `bridge`: a network namespace of the sandbox's own, only a loopback;
   * `host`: the host's network stack, only when asked for (policy.ts).
   */
  network?: NetworkMode;
  /** Terminal size for `tty`. */
  size?: { cols: number; rows: number };
  /**
   * Name prefix of the per-run scratch folder in the temp dir (default `strata-run-`). A build
   * adds its ID, so a build killed with -9 leaves nothing `system gc` cannot attribute.
   */
  scratchPrefix?: string;
  /**
   * Hold the command, its namespaces made, until `release()`: a port helper attaches to the
   * network namespace first, so the process starts with its network ready (as with docker).
   */
  held?: boolean;
}

export interface RunResult {
  exitCode: number;
  signal?: string;
}

/** A started sandboxed process; the UI's terminal and the CLI both drive it through this. */
export interface SandboxProcess {
  readonly pid: number;
  write(data: string | Buffer): void;
  /** Closes the process's stdin (non-tty only). */
  end(): void;
  resize(cols: number, rows: number): void;
  onData(fn: (data: Buffer, stream: 'stdout' | 'stderr') => void): void;
  readonly exited: Promise<RunResult>;
  /** Signals every process of the sandbox. */
  kill(signal?: NodeJS.Signals): void;
  /** Lets a `held` sandbox run its command. */
  release?: () => void;
}

export { removeTree };
export { ExecError };
export { namespaceArgs, overlayOptions };
export { which };

interface Tools {
  unshare: string;
  bwrap: string;
  sh: string;
  /** util-linux setpriv: as root, becomes the container's user before bwrap starts (see userArgs). */
  setpriv?: string;
}

let cachedTools: Tools | undefined;
let cachedReason: string | undefined | null = null;

/**
 * Why containers and RUN cannot run here, or undefined when they can. Linux only; needs
 * bubblewrap and util-linux's unshare, and (unless root) unprivileged user namespaces.
 */
export function sandboxUnavailable(): string | undefined {
  if (cachedReason !== null) return cachedReason;
  cachedReason = probe();
  return cachedReason;
}

function probe(): string | undefined {
  if (process.platform !== 'linux') return `containers need Linux namespaces and overlayfs; this is ${process.platform}`;
  const unshare = which('unshare');
  const bwrap = which('bwrap');
  const sh = existsSync('/bin/sh') ? '/bin/sh' : which('sh');
  if (!unshare) return 'util-linux unshare is not installed';
  if (!bwrap) return 'bubblewrap (bwrap) is not installed';
  if (!sh) return 'no /bin/sh on the host';
  const setpriv = which('setpriv');
  cachedTools = { unshare, bwrap, sh, ...(setpriv ? { setpriv } : {}) };
  const res = spawnSync(unshare, [...namespaceArgs(), 'true'], { encoding: 'utf8' });
  if (res.status !== 0) return `cannot create a mount namespace${isRoot() ? '' : ' in a user namespace'}: ${(res.stderr || res.error?.message || '').trim()}`;
  return undefined;
}

function tools(): Tools {
  const reason = sandboxUnavailable();
  if (reason) throw new StrataError('unsupported', reason);
  return cachedTools!;
}

/** Finds the program like execvp would, with docker's errors for a missing or non-executable one. */
export function resolveCommand(view: RootfsView, argv0: string, env: string[]): string {
  if (argv0.includes('/')) {
    const st = view.stat(view.resolve(argv0));
    if (!st) throw new ExecError(`exec: "${argv0}": stat ${argv0}: no such file or directory`, 127);
    if (st.type === 'dir' || (st.mode & 0o111) === 0) throw new ExecError(`exec: "${argv0}": permission denied`, 126);
    return argv0;
  }
  const path = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  for (const dir of path.split(':')) {
    const candidate = `${dir || '.'}/${argv0}`;
    const st = view.stat(view.resolve(candidate));
    if (st && st.type !== 'dir' && (st.mode & 0o111) !== 0) return candidate;
  }
  throw new ExecError(`exec: "${argv0}": executable file not found in $PATH`, 127);
}

function resolvConf(): string {
  for (const f of ['/run/systemd/resolve/resolv.conf', '/etc/resolv.conf']) {
    try {
      const text = readFileSync(f, 'utf8');
      // A stub resolver on the host's loopback is useless in a fresh network namespace.
      if (f === '/etc/resolv.conf' || !/nameserver 127\./.test(text)) return text;
    } catch {
      /* next */
    }
  }
  return '';
}

/**
 * Per-run scratch: `init/` is the lowest-but-top read-only layer holding mount points (like
 * docker's init layer, so they never show in `diff`), `root/` is where the overlay is mounted,
 * and the files bound over /etc/hosts, /etc/hostname, /etc/resolv.conf.
 */
function prepareScratch(lowerDirs: string[], hostname: string, network: NetworkMode, prefix = 'strata-run-'): string {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  const init = join(scratch, 'init');
  for (const d of ['proc', 'dev', 'sys', 'etc']) {
    const p = join(init, d);
    mkdirSync(p, { recursive: true });
    // Keep the image's own metadata on these directories so the merged view looks unchanged.
    const below = lowerEntry(lowerDirs, d);
    if (below?.stat.isDirectory()) {
      if (isRoot()) lchownSync(p, below.stat.uid, below.stat.gid);
      chmodSync(p, below.stat.mode & 0o7777);
      utimesSync(p, below.stat.atime, below.stat.mtime);
    }
  }
  for (const f of ['hosts', 'hostname', 'resolv.conf']) writeFileSync(join(init, 'etc', f), '');
  mkdirSync(join(scratch, 'root'));
  const hosts = `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${hostname}\n`;
  writeFileSync(join(scratch, 'hosts'), hosts);
  writeFileSync(join(scratch, 'hostname'), `${hostname}\n`);
  writeFileSync(join(scratch, 'resolv.conf'), network === 'none' ? '' : resolvConf());
  writeFileSync(join(scratch, 'empty'), '', { mode: 0o444 }); // bound over docker's masked /proc files
  // The init layer's etc must not hide the image's /etc: it only sits above it, with the same metadata.
  const etcBelow = lowerEntry(lowerDirs, 'etc');
  if (etcBelow?.stat.isDirectory()) utimesSync(join(init, 'etc'), etcBelow.stat.atime, etcBelow.stat.mtime);
  return scratch;
}

export interface PreparedSandbox {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  user: ResolvedUser;
  /** Puts the run's changes where they belong and removes the scratch directory. */
  afterExit: () => Promise<void>;
  /** Lets a `held` sandbox run its command. */
  release?: () => void;
}

/** Mount points the sandbox may add to a copied rootfs; never part of the container's changes. */
const MOUNT_POINTS = new Set(['proc', 'dev', 'sys', 'etc', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf']);

let overlayReason: string | undefined | null = null;

/**
 * Why overlayfs cannot be mounted here (then the copy fallback is used), or undefined. Set
 * STRATA_ROOTFS=copy to force the fallback.
 */
export function overlayUnavailable(): string | undefined {
  if (process.env.STRATA_ROOTFS === 'copy') return 'STRATA_ROOTFS=copy';
  if (overlayReason !== null) return overlayReason;
  const t = tools();
  const dir = mkdtempSync(join(tmpdir(), 'strata-ovl-'));
  try {
    for (const d of ['l', 'u', 'w', 'm']) mkdirSync(join(dir, d));
    const o = overlayOptions([join(dir, 'l')], join(dir, 'u'), join(dir, 'w'));
    const res = spawnSync(t.unshare, [...namespaceArgs(), t.sh, '-c', 'mount -t overlay overlay -o "$1" "$2"', 'sh', o.options, join(dir, 'm')], { encoding: 'utf8' });
    overlayReason = res.status === 0 ? undefined : `overlayfs: ${(res.stderr || '').trim()}`;
  } finally {
    removeTree(dir);
  }
  return overlayReason;
}

/** Linux's limits on one argument or environment string (MAX_ARG_STRLEN) and, roughly, all of them. */
const MAX_ARG_STRLEN = 32 * 4096;
const MAX_ARGS_TOTAL = 1024 * 1024;

/**
 * The command and its environment travel as arguments (to bwrap) and then as the process's
 * environment: a string or a total the kernel refuses (E2BIG) is a clean start error, found
 * before anything is set up, rather than a spawn failure that leaves a half-started container.
 */
function checkArgumentSize(proc: Pick<ProcessSpec, 'args' | 'env'>): void {
  const strings = [...proc.args, ...proc.env];
  const total = strings.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
  if (total > MAX_ARGS_TOTAL || strings.some((a) => Buffer.byteLength(a) + 1 > MAX_ARG_STRLEN)) {
    throw new ExecError(`exec: "${proc.args[0]}": argument list too long`, 126);
  }
}

/** Where a running sandbox keeps the path of its scratch directory, for `exec`. */
const scratchRecord = (upperDir: string): string => `${upperDir}.run`;

let compiledSeccomp: Buffer | undefined;

/** docker's default seccomp filter for this arch and DEFAULT_CAPS; empty where there is no syscall table. */
function seccompProgram(): Buffer {
  const arch = seccompArch();
  if (!arch) return Buffer.alloc(0);
  compiledSeccomp ??= compileSeccomp(DEFAULT_PROFILE, arch, DEFAULT_CAPS);
  return compiledSeccomp;
}

interface Confinement {
  scratch: string;
  cwd: string;
  env: string[];
  user: ResolvedUser;
  args: string[];
  /** The command as found on the container's PATH; run through the exec shim when `shim`. */
  path: string;
  /** The scratch directory holds the exec shim (exec-shim.ts): bwrap runs it, it drops bwrap's PWD. */
  shim: boolean;
  /** New pid/uts/ipc(/net) namespaces for a container's first process; none for `exec`, which joined them. */
  namespaces?: { network: NetworkMode; hostname: string };
  /** `exec`: how bwrap gets the container's pid namespace (see prepareExec). */
  pid?: string[];
  /** A descriptor bwrap waits on before it runs the command (holdGate). */
  block?: number;
  /** The user namespace is mapped from outside (MAP_IDS). */
  mappedOutside?: boolean;
}

/**
 * bwrap's arguments for one sandboxed process, the same for RUN, `run` and `exec`: the rootfs,
 * /proc and /sys with docker's masks, a minimal /dev, the per-run /etc files, docker's default
 * capabilities, the container's user, docker's seccomp filter (read from fd 9) and bwrap's
 * no_new_privs, which it always sets.
 */
function confinedArgs(c: Confinement): string[] {
  const envArgs: string[] = [];
  for (const e of c.env) {
    const eq = e.indexOf('=');
    if (eq > 0) envArgs.push('--setenv', e.slice(0, eq), e.slice(eq + 1));
  }
  const ns = c.namespaces;
  return [
    '--bind', join(c.scratch, 'root'), '/', ...procAndSysArgs(join(c.scratch, 'empty')), '--dev', '/dev',
    '--bind', join(c.scratch, 'hosts'), '/etc/hosts',
    '--bind', join(c.scratch, 'hostname'), '/etc/hostname',
    '--bind', join(c.scratch, 'resolv.conf'), '/etc/resolv.conf',
    ...(c.pid ?? []),
    ...(ns ? ['--unshare-pid', '--as-pid-1', '--unshare-uts', '--unshare-ipc', ...(ns.network === 'host' ? [] : ['--unshare-net']), '--hostname', ns.hostname] : []),
    ...(c.block !== undefined ? ['--block-fd', String(c.block)] : []),
    '--die-with-parent', '--chdir', c.cwd, '--clearenv', ...envArgs,
    // docker's default capabilities for root; a non-root user keeps none (as with docker).
    '--cap-drop', 'ALL', ...(c.user.uid === 0 ? DEFAULT_CAPS.flatMap((cap) => ['--cap-add', cap]) : []),
    ...(c.user.uid !== 0 || c.user.gid !== 0 ? ['--unshare-user', '--uid', String(c.user.uid), '--gid', String(c.user.gid)] : []),
    ...(c.mappedOutside ? ['--info-fd', '5', '--userns-block-fd', '6'] : []),
    ...(seccompProgram().length > 0 ? ['--seccomp', '9'] : []),
    '--', ...(c.shim ? shimArgs(c.path, c.env) : []), ...c.args,
  ];
}

/**
 * `exec`: a process that joins a running container. It enters the container's pid, uts, ipc and
 * network namespaces (from its main process) and the mount namespace in which the sandbox mounted
 * the rootfs (the sandbox's outer process, where the host's tools are still visible), then runs
 * under bwrap with the same confinement as the container's first process: masks, capabilities,
 * seccomp, no_new_privs. nsenter alone would keep all of root's capabilities and no filter.
 */
export function prepareExec(spec: { sandboxPid: number; mainPid: number; upperDir: string; process: ProcessSpec; user: ResolvedUser; path: string }): Pick<PreparedSandbox, 'file' | 'args' | 'env'> {
  const t = tools();
  checkArgumentSize(spec.process);
  const scratch = readScratchRecord(spec.upperDir);
  const nsenter = which('nsenter');
  if (!nsenter) throw new Error('util-linux nsenter is not installed');
  const asUser = userArgs(t, spec.user);
  if (asUser.length > 0) chmodSync(scratch, 0o711); // the user's bwrap must reach root/ and the /etc files
  // bwrap mounts a fresh /proc only for a pid namespace it creates or joins (else it binds the
  // host's). Joining needs privileges over it, which a non-root user's bwrap (in a user namespace
  // of its own) has not: it gets a pid namespace nested in the container's, showing only its own
  // processes.
  const joinPid = spec.user.uid === 0 && spec.user.gid === 0;
  const pid = joinPid ? ['--pidns', '8'] : ['--unshare-pid'];
  const shim = existsSync(join(scratch, 'shim'));
  const mapped = mapsIds(asUser, spec.user);
  const bwrapArgs = confinedArgs({ scratch, cwd: spec.process.cwd || '/', env: spec.process.env, user: spec.user, args: spec.process.args, path: spec.path, shim, pid, mappedOutside: mapped });
  // Each exec maps its own bwrap: FIFOs of its own, beside the run's.
  const ids = mapped ? { set: EXEC_PROC + MAP_IDS, fds: MAP_IDS_FDS, fifos: idFifos(scratch, `ids-${randomBytes(6).toString('hex')}`) } : { set: '', fds: '', fifos: '' };
  const userns = isRoot() ? [] : [`--user=/proc/${spec.sandboxPid}/ns/user`, '--preserve-credentials'];
  const args = [
    '--target', String(spec.mainPid), ...userns, `--mount=/proc/${spec.sandboxPid}/ns/mnt`, '--uts', '--ipc', '--net', ...(joinPid ? [] : ['--pid']),
    '--', ...(mapped ? [t.unshare, '--mount'] : []), t.sh, '-c', `f=$1; p=$2; m=$3; shift 3; exec 8<"$p"; ${ids.set}exec "$@" 9<"$f"${shim ? SHIM_REDIRECT : ''}${ids.fds}`, 'sh', join(scratch, 'seccomp.bpf'), `/proc/${spec.mainPid}/ns/pid`, ids.fifos,
    ...asUser, t.bwrap, ...bwrapArgs,
  ];
  return { file: nsenter, args, env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } };
}

/** The scratch directory a running sandbox recorded; only ever one of ours under the temp dir. */
function readScratchRecord(upperDir: string): string {
  let scratch = '';
  try {
    scratch = readFileSync(scratchRecord(upperDir), 'utf8').trim();
  } catch {
    /* not running */
  }
  if (!/^\/[^\0]*\/strata-run-[A-Za-z0-9]+$/.test(scratch) || scratch.includes('/../')) throw new Error('the container is not running');
  return scratch;
}

/**
 * Builds the command line that runs a process in the sandbox:
 *   unshare [--map-root-user | --map-user=0 --map-users=SUBORDINATE…] --mount   (a private mount namespace,
 *                                      a user namespace when rootless: snapshot/idmap.ts)
 *     sh -c 'mount -t overlay …'         (the rootfs: init layer + image layers + writable layer)
 *       bwrap --bind root / --proc --dev  (pivot_root, fresh /proc with docker's masks, minimal
 *                                          /dev, pid/uts/ipc/net namespaces, env, cwd, uid,
 *                                          capabilities, seccomp from fd 9) -- ARGS
 * Creates the working directory in the writable layer first, like docker does. Without
 * overlayfs the process runs on a copy of the merged rootfs whose changes are written back to the
 * upper dir afterwards (copy-rootfs.ts).
 */
export function prepareSandbox(spec: SandboxSpec): PreparedSandbox {
  const t = tools();
  const proc = spec.process;
  const view = new RootfsView(spec.lowerDirs, spec.upperDir);
  if (proc.args.length === 0) throw new ExecError('no command specified', 125);
  const user = resolveUser(view, proc.user);
  const cwd = proc.cwd || '/';
  const cwdEntry = view.stat(view.resolve(cwd));
  if (!cwdEntry) view.mkdir(cwd);
  else if (cwdEntry.type !== 'dir') throw new ExecError(`chdir to cwd ("${cwd}") set in config.json failed: not a directory`, 126);
  const path = resolveCommand(view, proc.args[0]!, proc.env);
  checkArgumentSize(proc);
  const hostname = proc.hostname ?? randomBytes(6).toString('hex');
  const network = spec.network ?? 'none';
  const scratch = prepareScratch(spec.lowerDirs, hostname, network, spec.scratchPrefix);
  let root: string, args: string[], copy: boolean;
  let release: (() => void) | undefined;
  try {
    root = join(scratch, 'root');
    const overlay = overlayOptions([join(scratch, 'init'), ...[...spec.lowerDirs].reverse()], spec.upperDir, spec.workDir);
    writeFileSync(join(scratch, 'seccomp.bpf'), seccompProgram());
    const shim = writeShim(scratch, t.sh);
    const gate = spec.held ? holdGate(scratch) : undefined;
    const asUser = userArgs(t, user);
    const mapped = mapsIds(asUser, user);
    const bwrapArgs = confinedArgs({ scratch, cwd, env: withHome(proc.env, user.home), user, args: proc.args, path, shim, namespaces: { network, hostname }, ...(gate ? { block: gate.fd } : {}), mappedOutside: mapped });
    if (asUser.length > 0) chmodSync(scratch, 0o711); // the user must reach root/ and the bound /etc files
    copy = overlayUnavailable() !== undefined;
    if (copy) materializeRootfs(spec.lowerDirs, spec.upperDir, root);
    if (copy && asUser.length > 0) addMountPoints(root);
    // fd 9 carries the seccomp program to bwrap (through setpriv); a pty cannot pass extra fds.
    const mount = copy ? '' : 'set -e; cd "$1"; mount -t overlay overlay -o "$2" "$3"; ';
    const ids = mapped ? { set: MAP_IDS, fds: MAP_IDS_FDS } : { set: '', fds: '' };
    const script = `${mount}f=$4; m=$5; shift 5; ${ids.set}exec "$@" 9<"$f"${shim ? SHIM_REDIRECT : ''}${gate ? gate.redirect : ''}${ids.fds}`;
    args = [...namespaceArgs(), t.sh, '-c', script, 'sh', overlay.cwd, overlay.options, root, join(scratch, 'seccomp.bpf'), mapped ? idFifos(scratch) : '', ...asUser, t.bwrap, ...bwrapArgs];
    if (gate) release = gate.release;
    writeFileSync(scratchRecord(spec.upperDir), scratch);
  } catch (err) {
    removeTree(scratch); // a run that cannot start leaves no scratch behind
    throw err;
  }
  return {
    file: t.unshare,
    args,
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' },
    user,
    ...(release ? { release } : {}),
    afterExit: async () => {
      try {
        if (copy) await syncBackRootfs(spec.lowerDirs, spec.upperDir, root, MOUNT_POINTS);
        else await detectOpaqueDirs(spec.lowerDirs, spec.upperDir).catch(() => {});
      } finally {
        rmSync(scratchRecord(spec.upperDir), { force: true });
        removeTree(scratch);
      }
    },
  };
}

/** runc's rule: HOME, when the environment has none, is the user's home from /etc/passwd (a build's RUN gets it too). */
function withHome(env: string[], home: string): string[] {
  return env.some((e) => e.startsWith('HOME=')) ? env : [...env, `HOME=${home}`];
}

/** Opens the scratch directory's exec shim (next to the seccomp program, `$f`) for bwrap's command. */
const SHIM_REDIRECT = ` ${SHIM_FD}<"\${f%/*}/shim"`;

let shimRuns: boolean | undefined;

/**
 * Writes the exec shim into the scratch directory; false where this machine has none
 * (exec-shim.ts) or the temp dir cannot execute it (mounted `noexec`: found once, by running it
 * here with the host's shell), so that bwrap runs the command itself and only PWD stays.
 */
function writeShim(scratch: string, sh: string): boolean {
  const shim = execShim();
  if (!shim) return false;
  const file = join(scratch, 'shim');
  writeFileSync(file, shim);
  chmodSync(file, 0o755); // a non-root container user executes it too, whatever the umask
  shimRuns ??= spawnSync(file, ['', sh, 'sh', '-c', 'exit 0']).status === 0;
  if (!shimRuns) rmSync(file, { force: true });
  return shimRuns;
}

/**
 * The gate of a `held` sandbox: a FIFO in the scratch directory that the sandbox's shell opens
 * read-write (which never blocks) as fd 7 for bwrap's `--block-fd`: bwrap makes the namespaces,
 * then waits for one byte before it runs the command. A pty cannot pass a descriptor of ours,
 * a path can.
 */
function holdGate(scratch: string): { fd: number; redirect: string; release: () => void } {
  const fifo = join(scratch, 'gate');
  const res = spawnSync('mkfifo', ['-m', '600', fifo], { encoding: 'utf8' });
  if (res.status !== 0) throw new StrataError('unavailable', `mkfifo: ${(res.stderr || res.error?.message || '').trim()}`);
  const release = (): void => {
    try {
      // The sandbox holds the FIFO open, so this open does not block; if it is gone, nothing waits.
      const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      try {
        writeSync(fd, 'g');
      } finally {
        closeSync(fd);
      }
    } catch {
      /* the sandbox already ended */
    }
  };
  return { fd: 7, redirect: ' 7<>"${f%/*}/gate"', release };
}

/**
 * bwrap creates missing mount points only while it has privileges; a non-root user's bwrap on a
 * copied rootfs needs them up front (syncBack leaves MOUNT_POINTS out of the changes). Never
 * written through a symlink: it would point into the host.
 */
function addMountPoints(root: string): void {
  const missing = (p: string): boolean => {
    try {
      lstatSync(p);
      return false;
    } catch {
      return true;
    }
  };
  for (const d of ['proc', 'dev', 'sys', 'etc']) if (missing(join(root, d))) mkdirSync(join(root, d));
  if (!lstatSync(join(root, 'etc')).isDirectory()) return;
  for (const f of ['hosts', 'hostname', 'resolv.conf']) if (missing(join(root, 'etc', f))) writeFileSync(join(root, 'etc', f), '');
}

/**
 * As root, a non-root container user becomes that user on the host before bwrap starts: bwrap's
 * own user namespace then maps the user to itself, so the files it writes are owned by its real
 * uid/gid in the upper dir (like docker) and it cannot write what the image's root owns. bwrap
 * cannot switch IDs itself without a user namespace (its --userns path calls setuid before
 * setgid). Rootless with subordinate IDs it is the same one level down: the sandbox's user
 * namespace maps every container ID, and its root switches to the user. With a single ID there
 * is nothing to switch to: the user namespace's root writes everything.
 */
export function userArgs(t: Pick<Tools, 'setpriv'>, user: ResolvedUser): string[] {
  if (idMapping().mode === 'single' || !t.setpriv) return [];
  const groups = ['--groups', (user.groups.length > 0 ? user.groups : [user.gid]).join(',')];
  // root keeps its identity and capabilities; only its supplementary groups become the image's.
  if (user.uid === 0 && user.gid === 0) return [t.setpriv, ...groups];
  return [t.setpriv, '--reuid', String(user.uid), '--regid', String(user.gid), ...groups];
}

/** A non-root user's bwrap namespace: mapped by MAP_IDS rather than by bwrap (see below). */
function mapsIds(asUser: string[], user: ResolvedUser): boolean {
  return asUser.length > 0 && (user.uid !== 0 || user.gid !== 0);
}

/**
 * bwrap maps only the user itself into a non-root user's namespace, so every other ID (the
 * image's owners, the user's supplementary groups) would read as the overflow ID. Instead bwrap
 * waits (`--userns-block-fd 6`) while a copy of this shell, still the namespace's root before
 * setpriv, maps every ID it has onto itself: once bwrap's info arrives (`--info-fd 5`: the child
 * exists) it finds that child among its parent's (bwrap's) children and writes the identity
 * maps. `$m` is the FIFOs' path less `.info` and `.ns` (idFifos). bwrap 0.8 also reads its
 * child's namespaces from /proc by the pid its clone returned: `exec` mounts the container's
 * /proc first (EXEC_PROC), else bwrap would look in the host's.
 */
const MAP_IDS = [
  '(set +e; while read -r _; do :; done <"$m.info"; read -r me _ _ bw _ </proc/self/stat; read -r kids </proc/$bw/task/$bw/children;',
  'um=$(while read -r a _ c; do echo "$a $a $c"; done </proc/self/uid_map);',
  'gm=$(while read -r a _ c; do echo "$a $a $c"; done </proc/self/gid_map);',
  'for k in $kids; do [ "$k" = "$me" ] || { printf "%s\\n" "$um" >/proc/$k/uid_map; printf "%s\\n" "$gm" >/proc/$k/gid_map; }; done;',
  // rm first: the copy ends right after it lets bwrap go, so bwrap reaps it (for exec it sits in the container's pid namespace)
  'rm -f "$m.info"; printf x >"$m.ns"; rm -f "$m.ns") & ',
].join(' ');
/**
 * `exec` of a non-root user: the shell runs in the container's pid namespace and a mount namespace
 * of its own (`unshare --mount`), where it mounts that pid namespace's /proc, so the pids bwrap
 * and MAP_IDS read there are the ones they got (the container's main process's pid namespace was
 * opened as fd 8 before).
 */
const EXEC_PROC = 'mount -t proc -o nosuid,nodev,noexec proc /proc || exit 126; ';
const MAP_IDS_FDS = ' 5>"$m.info" 6<>"$m.ns"';

/** The FIFOs of MAP_IDS in the scratch directory. */
function idFifos(scratch: string, name = 'ids'): string {
  const m = join(scratch, name);
  const res = spawnSync('mkfifo', ['-m', '600', `${m}.info`, `${m}.ns`], { encoding: 'utf8' });
  if (res.status !== 0) throw new StrataError('unavailable', `mkfifo: ${(res.stderr || res.error?.message || '').trim()}`);
  return m;
}

function signalResult(signal: NodeJS.Signals | number): RunResult {
  const entries = Object.entries(osConstants.signals) as [string, number][];
  const num = typeof signal === 'number' ? signal : (osConstants.signals[signal] ?? 9);
  return { exitCode: 128 + num, signal: entries.find(([, n]) => n === num)?.[0] ?? String(signal) };
}

/** Starts a process in the sandbox (with a pseudo-terminal when `process.tty`). */
export async function startProcess(spec: SandboxSpec): Promise<SandboxProcess> {
  const prepared = prepareSandbox(spec);
  const finish = async (r: RunResult): Promise<RunResult> => {
    await prepared.afterExit();
    return r;
  };
  try {
    const proc = await launch(prepared, { tty: spec.process.tty ?? false, ...(spec.size ? { size: spec.size } : {}) }, finish);
    return prepared.release ? { ...proc, release: prepared.release } : proc;
  } catch (err) {
    await prepared.afterExit(); // a spawn that failed leaves no scratch behind
    throw err;
  }
}

/** Spawns a prepared command line: through a pseudo-terminal, or with pipes in its own process group. */
export function launch(
  prepared: Pick<PreparedSandbox, 'file' | 'args' | 'env'>,
  options: { tty: boolean; size?: { cols: number; rows: number } },
  finish: (r: RunResult) => Promise<RunResult> = async (r) => r,
): Promise<SandboxProcess> | SandboxProcess {
  if (options.tty) return startPty(options.size, prepared, finish);
  return startPiped(prepared, finish);
}

function startPiped(prepared: Pick<PreparedSandbox, 'file' | 'args' | 'env'>, finish: (r: RunResult) => Promise<RunResult>): SandboxProcess {
  const child: ChildProcess = spawn(prepared.file, prepared.args, { env: prepared.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const listeners: ((d: Buffer, s: 'stdout' | 'stderr') => void)[] = [];
  const buffered: [Buffer, 'stdout' | 'stderr'][] = [];
  const emit = (d: Buffer, s: 'stdout' | 'stderr'): void => {
    if (listeners.length === 0) buffered.push([d, s]);
    for (const l of listeners) l(d, s);
  };
  child.stdout!.on('data', (d: Buffer) => emit(d, 'stdout'));
  child.stderr!.on('data', (d: Buffer) => emit(d, 'stderr'));
  child.stdin!.on('error', () => {}); // the process may exit without reading its input
  const closed = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve(signal ? signalResult(signal) : { exitCode: code ?? 0 });
    });
  });
  return {
    pid: child.pid!,
    write: (d) => void child.stdin!.write(d),
    end: () => child.stdin!.end(),
    resize: () => {},
    onData: (fn) => {
      listeners.push(fn);
      for (const [d, s] of buffered.splice(0)) fn(d, s);
    },
    exited: closed.then(finish, async (err) => {
      await finish({ exitCode: 125 });
      throw err;
    }),
    kill: (signal = 'SIGKILL') => killGroup(child.pid!, signal),
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

async function startPty(size: { cols: number; rows: number } | undefined, prepared: Pick<PreparedSandbox, 'file' | 'args' | 'env'>, finish: (r: RunResult) => Promise<RunResult>): Promise<SandboxProcess> {
  const pty = await import('node-pty');
  const term = pty.spawn(prepared.file, prepared.args, {
    name: 'xterm', cols: size?.cols ?? 80, rows: size?.rows ?? 24, env: prepared.env as Record<string, string>,
  });
  const listeners: ((d: Buffer, s: 'stdout' | 'stderr') => void)[] = [];
  const buffered: Buffer[] = [];
  term.onData((d) => {
    const b = Buffer.from(d, 'utf8');
    if (listeners.length === 0) buffered.push(b);
    for (const l of listeners) l(b, 'stdout');
  });
  const exited = new Promise<RunResult>((resolve) => {
    term.onExit(({ exitCode, signal }) => resolve(signal ? signalResult(signal) : { exitCode }));
  });
  return {
    pid: term.pid,
    write: (d) => term.write(typeof d === 'string' ? d : d.toString('utf8')),
    end: () => term.write('\x04'),
    resize: (cols, rows) => term.resize(cols, rows),
    onData: (fn) => {
      listeners.push(fn);
      for (const d of buffered.splice(0)) fn(d, 'stdout');
    },
    exited: exited.then(finish),
    kill: (signal = 'SIGKILL') => killGroup(term.pid, signal),
  };
}

/**
 * Runs a process in the sandbox to completion: the builder's RUN and `strata run` both come here.
 * Errors found before anything runs (command not found, not executable) are written to stderr
 * with docker's wording and exit 127/126. Aborting kills the whole process tree (the pid
 * namespace dies with its init); the writable layer stays usable.
 */
export async function runProcess(spec: SandboxSpec & { stdin?: Readable; stdout?: Writable; stderr?: Writable; signal?: AbortSignal }): Promise<RunResult> {
  if (spec.signal?.aborted) return { exitCode: 137, signal: 'SIGKILL' };
  let proc: SandboxProcess;
  try {
    proc = await startProcess(spec);
  } catch (err) {
    if (err instanceof ExecError) {
      spec.stderr?.write(`${err.message}\n`);
      return { exitCode: err.exitCode };
    }
    throw err;
  }
  proc.onData((d, s) => (s === 'stderr' ? spec.stderr : spec.stdout)?.write(d));
  if (spec.stdin) {
    spec.stdin.on('data', (d: Buffer) => proc.write(d));
    spec.stdin.on('end', () => proc.end());
  } else if (!spec.process.tty) proc.end();
  const onAbort = (): void => proc.kill('SIGKILL');
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await proc.exited;
  } finally {
    spec.signal?.removeEventListener('abort', onAbort);
  }
}
