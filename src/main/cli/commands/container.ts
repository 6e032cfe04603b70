import { createWriteStream } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { pipeline } from 'node:stream/promises';
import type { Command, CommandContext } from '../command.ts';
import { flagBool, flagString, flagStrings } from '../command.ts';
import { UsageError, type FlagSpec } from '../args.ts';
import type { Engine } from '../../engine/engine.ts';
import { ExecError } from '../../engine/runtime/sandbox.ts';
import { parseNetworkMode } from '../../engine/runtime/policy.ts';
import { containerArgs, type CreateOptions } from '../../engine/container/config.ts';
import { NoSuchContainerError, statusText, type ContainerProcess, type ContainerRecord } from '../../engine/container/container-service.ts';
import { commitContainer } from '../../engine/container/commit.ts';
import { exportRootfs } from '../../engine/container/export.ts';
import { copyIn, copyOut } from '../../engine/container/copy.ts';
import { ImageNotFoundError } from '../../engine/image/image-service.ts';
import { familiarString, parseReference } from '../../engine/image/reference.ts';
import { pull } from '../../engine/registry/pull.ts';
import { progressRenderer } from './registry.ts';
import { compile, renderRows, sortedKeys } from '../formatter.ts';
import { goEscape } from '../template.ts';
import { formatBytes } from '../format.ts';
import { createdSince, ellipsis, goTimeString, humanDuration } from '../units.ts';

const CREATE_FLAGS: FlagSpec[] = [
  { name: 'name', type: 'string', description: 'Assign a name to the container' },
  { name: 'env', short: 'e', type: 'strings', value: 'list', description: 'Set environment variables' },
  { name: 'env-file', type: 'strings', value: 'list', description: 'Read in a file of environment variables' },
  { name: 'workdir', short: 'w', type: 'string', description: 'Working directory inside the container' },
  { name: 'user', short: 'u', type: 'string', description: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { name: 'entrypoint', type: 'string', description: 'Overwrite the default ENTRYPOINT of the image' },
  { name: 'interactive', short: 'i', type: 'bool', description: 'Keep STDIN open even if not attached' },
  { name: 'tty', short: 't', type: 'bool', description: 'Allocate a pseudo-TTY' },
  { name: 'rm', type: 'bool', description: 'Automatically remove the container and its associated anonymous volumes when it exits' },
  { name: 'label', short: 'l', type: 'strings', value: 'list', description: 'Set meta data on a container' },
  { name: 'network', type: 'string', description: 'Connect a container to a network: "none", "bridge" (default: a private network with a loopback only) or "host"' },
  { name: 'pull', type: 'string', description: 'Pull image before running ("always", "missing", "never") (default "missing")' },
];

/**
 * create/run with docker's --pull policy: a missing image is pulled first ("Unable to find image
 * … locally"), with the progress on stderr so stdout stays the container's.
 */
async function createWithPull(ctx: CommandContext, engine: Engine, opts: CreateOptions): Promise<ContainerRecord> {
  const policy = flagString(ctx, 'pull') ?? 'missing';
  if (!['always', 'missing', 'never'].includes(policy)) throw new UsageError(`invalid pull option: '${policy}': must be one of "always", "missing" or "never"`);
  const fetch = async (): Promise<void> => {
    await pull(engine, opts.image, { signal: ctx.signal, onProgress: progressRenderer(ctx.stderr) });
  };
  if (policy === 'always') await fetch();
  try {
    return engine.containers.create(opts);
  } catch (err) {
    if (!(err instanceof ImageNotFoundError) || policy !== 'missing' || !isValidReference(opts.image)) throw err;
    ctx.stderr.write(`Unable to find image '${familiarString(parseReference(opts.image))}' locally\n`);
    await fetch();
    return engine.containers.create(opts);
  }
}

function isValidReference(s: string): boolean {
  try {
    parseReference(s);
    return !/^[a-f0-9]{12,64}$/.test(s);
  } catch {
    return false;
  }
}

function createOptions(ctx: CommandContext): CreateOptions {
  const [image, ...cmd] = ctx.args;
  const network = flagString(ctx, 'network');
  const mode = network === undefined ? undefined : parseNetworkMode(network);
  if (network !== undefined && mode === undefined) throw new UsageError(`network ${network} not found`);
  const opts: CreateOptions = {
    image: image!, cmd, env: flagStrings(ctx, 'env'), envFiles: flagStrings(ctx, 'env-file'), labels: flagStrings(ctx, 'label'),
    tty: flagBool(ctx, 'tty'), openStdin: flagBool(ctx, 'interactive'), autoRemove: flagBool(ctx, 'rm'),
  };
  const set = <K extends keyof CreateOptions>(k: K, v: CreateOptions[K] | undefined): void => {
    if (v !== undefined) opts[k] = v;
  };
  set('name', flagString(ctx, 'name'));
  set('workdir', flagString(ctx, 'workdir'));
  set('user', flagString(ctx, 'user'));
  set('entrypoint', flagString(ctx, 'entrypoint'));
  set('network', mode);
  return opts;
}

/** Runs a started container's I/O against the terminal until it exits; returns its exit code. */
async function attachTerminal(ctx: CommandContext, proc: ContainerProcess, options: { stdin: boolean; tty: boolean }): Promise<number> {
  proc.onData((d, stream) => (stream === 'stderr' ? ctx.stderr : ctx.stdout).write(d));
  const stdin = ctx.stdin as NodeJS.ReadStream;
  const raw = options.tty && options.stdin && stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  const onInput = (d: Buffer): void => proc.write(d);
  const onEnd = (): void => proc.end();
  const onResize = (): void => {
    const out = ctx.stdout as NodeJS.WriteStream;
    if (out.columns && out.rows) proc.resize(out.columns, out.rows);
  };
  if (options.stdin) {
    if (raw) stdin.setRawMode(true);
    stdin.on('data', onInput);
    stdin.on('end', onEnd);
    stdin.resume();
  } else if (!options.tty) proc.end();
  if (options.tty) process.stdout.on('resize', onResize);
  const onAbort = (): void => proc.kill('SIGKILL');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await proc.exited;
    return res.exitCode;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    process.stdout.off('resize', onResize);
    stdin.off('data', onInput);
    stdin.off('end', onEnd);
    if (raw) stdin.setRawMode(false);
    if (options.stdin) stdin.pause();
  }
}

function terminalSize(ctx: CommandContext): { cols: number; rows: number } | undefined {
  const out = ctx.stdout as NodeJS.WriteStream;
  return out.isTTY && out.columns && out.rows ? { cols: out.columns, rows: out.rows } : undefined;
}

/** docker's wording for a process that could not start; returns its exit code. */
function startFailed(ctx: CommandContext, err: unknown): number {
  if (err instanceof ExecError) {
    ctx.stderr.write(`strata: Error response from daemon: failed to create task for container: ${err.message}\n`);
    return err.exitCode;
  }
  throw err;
}

async function runForeground(ctx: CommandContext, engine: Engine, rec: ContainerRecord, stdin: boolean): Promise<number> {
  let proc: ContainerProcess;
  // docker's client attaches before it starts the container.
  engine.containers.announce('attach', rec.id);
  try {
    const size = terminalSize(ctx);
    proc = await engine.containers.start(rec.id, size ? { size } : {});
  } catch (err) {
    // `--rm`: a container that never started is removed too, whatever the error.
    if (rec.config.AutoRemove) await engine.containers.remove(rec.id, { force: true });
    return startFailed(ctx, err);
  }
  const code = await attachTerminal(ctx, proc, { stdin, tty: rec.config.Tty });
  if (rec.config.AutoRemove) await engine.containers.remove(rec.id, { force: true });
  return code;
}

export const runCommand: Command = {
  path: ['run'],
  aliases: [['container', 'run']],
  usage: 'strata run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create and run a new container from an image',
  flags: [...CREATE_FLAGS, { name: 'detach', short: 'd', type: 'bool', description: 'Run container in background and print container ID' }],
  interspersed: false,
  minArgs: 1,
  async run(ctx) {
    const engine = ctx.engine();
    const rec = await createWithPull(ctx, engine, createOptions(ctx));
    if (flagBool(ctx, 'detach')) {
      try {
        await engine.containers.startDetached(rec.id);
      } catch (err) {
        return startFailed(ctx, err);
      }
      ctx.stdout.write(`${rec.id}\n`);
      return 0;
    }
    return runForeground(ctx, engine, rec, flagBool(ctx, 'interactive'));
  },
};

export const createCommand: Command = {
  path: ['create'],
  aliases: [['container', 'create']],
  usage: 'strata create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create a new container',
  flags: CREATE_FLAGS,
  interspersed: false,
  minArgs: 1,
  async run(ctx) {
    const rec = await createWithPull(ctx, ctx.engine(), createOptions(ctx));
    ctx.stdout.write(`${rec.id}\n`);
  },
};

/** Applies `fn` to each named container, docker-style: print the name, or an error line and go on. */
async function eachContainer(ctx: CommandContext, fn: (ref: string) => Promise<void>): Promise<number> {
  let failed = false;
  for (const ref of ctx.args) {
    try {
      await fn(ref);
      ctx.stdout.write(`${ref}\n`);
    } catch (err) {
      failed = true;
      ctx.stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}

export const startCommand: Command = {
  path: ['start'],
  aliases: [['container', 'start']],
  usage: 'strata start [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Start one or more stopped containers',
  flags: [
    { name: 'attach', short: 'a', type: 'bool', description: 'Attach STDOUT/STDERR and forward signals' },
    { name: 'interactive', short: 'i', type: 'bool', description: "Attach container's STDIN" },
  ],
  minArgs: 1,
  async run(ctx) {
    const engine = ctx.engine();
    if (flagBool(ctx, 'attach') || flagBool(ctx, 'interactive')) {
      if (ctx.args.length > 1) throw new UsageError('you cannot start and attach multiple containers at once');
      const rec = engine.containers.get(ctx.args[0]!);
      return runForeground(ctx, engine, rec, flagBool(ctx, 'interactive'));
    }
    return eachContainer(ctx, (ref) => engine.containers.startDetached(ref));
  },
};

function parseSignal(s: string | undefined, fallback: NodeJS.Signals): NodeJS.Signals {
  if (!s) return fallback;
  const signals = osConstants.signals as Record<string, number>;
  if (/^\d+$/.test(s)) {
    const name = Object.keys(signals).find((k) => signals[k] === Number(s));
    if (name) return name as NodeJS.Signals;
  }
  const name = s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`;
  if (!(name in signals)) throw new UsageError(`invalid signal: ${s}`);
  return name as NodeJS.Signals;
}

export const stopCommand: Command = {
  path: ['stop'],
  aliases: [['container', 'stop']],
  usage: 'strata stop [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Stop one or more running containers',
  flags: [
    { name: 'time', short: 't', type: 'string', description: 'Seconds to wait before killing the container' },
    { name: 'signal', short: 's', type: 'string', description: 'Signal to send to the container' },
  ],
  minArgs: 1,
  async run(ctx) {
    const engine = ctx.engine();
    const t = Number(flagString(ctx, 'time') ?? '10');
    return eachContainer(ctx, async (ref) => {
      const sig = flagString(ctx, 'signal');
      if (sig) {
        await engine.containers.kill(ref, parseSignal(sig, 'SIGTERM'));
        if (!(await engine.containers.waitExit(engine.containers.get(ref).id, t * 1000))) await engine.containers.kill(ref, 'SIGKILL');
      } else await engine.containers.stop(ref, t);
    });
  },
};

export const killCommand: Command = {
  path: ['kill'],
  aliases: [['container', 'kill']],
  usage: 'strata kill [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Kill one or more running containers',
  flags: [{ name: 'signal', short: 's', type: 'string', description: 'Signal to send to the container' }],
  minArgs: 1,
  async run(ctx) {
    const engine = ctx.engine();
    const sig = parseSignal(flagString(ctx, 'signal'), 'SIGKILL');
    return eachContainer(ctx, async (ref) => {
      await engine.containers.kill(ref, sig);
      if (sig === 'SIGKILL') await engine.containers.waitExit(engine.containers.get(ref).id, 10_000);
    });
  },
};

export const rmCommand: Command = {
  path: ['rm'],
  aliases: [['container', 'rm'], ['container', 'remove']],
  usage: 'strata rm [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Remove one or more containers',
  flags: [{ name: 'force', short: 'f', type: 'bool', description: 'Force the removal of a running container (uses SIGKILL)' }],
  minArgs: 1,
  async run(ctx) {
    const engine = ctx.engine();
    return eachContainer(ctx, (ref) => engine.containers.remove(ref, { force: flagBool(ctx, 'force') }));
  },
};

/** One row of `ps`, keyed by docker's template field names. */
export function psRow(engine: Engine, c: ContainerRecord, now: number, trunc: boolean): Record<string, unknown> {
  const command = containerArgs(c.config).join(' ');
  const current = engine.images.tryResolve(c.image);
  const image = current === c.imageId ? c.image : c.imageId.replace(/^sha256:/, '').slice(0, 12);
  const labels = Object.entries(c.config.Labels ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',');
  return sortedKeys({
    Command: JSON.stringify(trunc ? ellipsis(command, 20) : command),
    CreatedAt: goTimeString(Math.floor(c.created / 1000)),
    ID: trunc ? c.id.slice(0, 12) : c.id,
    Image: image,
    Labels: labels,
    LocalVolumes: '0',
    Mounts: '',
    Names: c.name,
    Networks: c.config.Network,
    Ports: '',
    RunningFor: createdSince(Math.floor(c.created / 1000), now),
    Size: '0B',
    State: c.state,
    Status: statusText(c, now, humanDuration),
  });
}

/** docker ps --filter: name (substring), id (prefix), status, ancestor (image), label (key or key=value). */
function matchesFilter(engine: Engine, c: ContainerRecord, key: string, value: string): boolean {
  switch (key) {
    case 'name':
      return c.name.includes(value.replace(/^\//, ''));
    case 'id':
      return c.id.startsWith(value);
    case 'status':
      if (!['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'].includes(value)) throw new UsageError(`invalid filter 'status=${value}'`);
      return c.state === value;
    case 'ancestor':
      return c.image === value || engine.images.tryResolve(value) === c.imageId;
    case 'label': {
      const eq = value.indexOf('=');
      const labels = c.config.Labels ?? {};
      return eq === -1 ? value in labels : labels[value.slice(0, eq)] === value.slice(eq + 1);
    }
    default:
      throw new UsageError(`invalid filter '${key}'`);
  }
}

const PS_HEADER = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', RunningFor: 'CREATED', Status: 'STATUS', Ports: 'PORTS', Names: 'NAMES',
  CreatedAt: 'CREATED AT', Labels: 'LABELS', LocalVolumes: 'LOCAL VOLUMES', Mounts: 'MOUNTS', Networks: 'NETWORKS', Size: 'SIZE', State: 'STATE',
};

export const psCommand: Command = {
  path: ['ps'],
  aliases: [['container', 'ls'], ['container', 'list'], ['container', 'ps']],
  usage: 'strata ps [OPTIONS]',
  description: 'List containers',
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Show all containers (default shows just running)' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Only display container IDs' },
    { name: 'no-trunc', type: 'bool', description: "Don't truncate output" },
    { name: 'format', type: 'string', description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'" },
    { name: 'filter', short: 'f', type: 'strings', value: 'filter', description: 'Filter output based on conditions provided' },
    { name: 'last', short: 'n', type: 'string', description: 'Show n last created containers (includes all states)' },
    { name: 'latest', short: 'l', type: 'bool', description: 'Show the latest created container (includes all states)' },
  ],
  maxArgs: 0,
  async run(ctx) {
    const engine = ctx.engine();
    const now = Date.now();
    const trunc = !flagBool(ctx, 'no-trunc');
    const filters = flagStrings(ctx, 'filter').map((f) => {
      const eq = f.indexOf('=');
      if (eq <= 0) throw new UsageError(`invalid filter '${f}'`);
      return { key: f.slice(0, eq), value: f.slice(eq + 1) };
    });
    const last = flagBool(ctx, 'latest') ? 1 : Number(flagString(ctx, 'last') ?? '-1');
    const all = flagBool(ctx, 'all') || last > 0 || filters.some((f) => f.key === 'status');
    let list = engine.containers.list({ all }).filter((c) => filters.every((f) => matchesFilter(engine, c, f.key, f.value)));
    if (last > 0) list = list.slice(0, last);
    const rows = list.map((c) => psRow(engine, c, now, trunc));
    let format = flagString(ctx, 'format') ?? 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
    if (flagBool(ctx, 'quiet')) format = '{{.ID}}';
    ctx.stdout.write(renderRows(format, rows, PS_HEADER));
  },
};

export const logsCommand: Command = {
  path: ['logs'],
  aliases: [['container', 'logs']],
  usage: 'strata logs [OPTIONS] CONTAINER',
  description: 'Fetch the logs of a container',
  flags: [
    { name: 'follow', short: 'f', type: 'bool', description: 'Follow log output' },
    { name: 'timestamps', short: 't', type: 'bool', description: 'Show timestamps' },
    { name: 'tail', short: 'n', type: 'string', description: 'Number of lines to show from the end of the logs (default "all")' },
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const engine = ctx.engine();
    const id = engine.containers.get(ctx.args[0]!).id;
    const tail = flagString(ctx, 'tail');
    const stamps = flagBool(ctx, 'timestamps');
    let entries = engine.containers.logs(id);
    let shown = tail === undefined || tail === 'all' ? 0 : Math.max(0, entries.length - Number(tail));
    for (;;) {
      entries = engine.containers.logs(id);
      for (const e of entries.slice(shown)) (e.stream === 'stderr' ? ctx.stderr : ctx.stdout).write(stamps ? `${e.time} ${e.text}` : e.text);
      shown = entries.length;
      if (!flagBool(ctx, 'follow') || engine.containers.get(id).state !== 'running' || ctx.signal.aborted) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  },
};

export const diffCommand: Command = {
  path: ['diff'],
  aliases: [['container', 'diff']],
  usage: 'strata diff CONTAINER',
  description: "Inspect changes to files or directories on a container's filesystem",
  flags: [],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    for (const c of await ctx.engine().containers.changes(ctx.args[0]!)) ctx.stdout.write(`${c.kind} ${c.path}\n`);
  },
};

export const commitCommand: Command = {
  path: ['commit'],
  aliases: [['container', 'commit']],
  usage: 'strata commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  description: "Create a new image from a container's changes",
  flags: [
    { name: 'author', short: 'a', type: 'string', description: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    { name: 'change', short: 'c', type: 'strings', value: 'list', description: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', type: 'string', description: 'Commit message' },
    { name: 'pause', short: 'p', type: 'bool', description: 'Pause container during commit (default true)' },
  ],
  minArgs: 1,
  maxArgs: 2,
  async run(ctx) {
    const pause = ctx.flags.pause;
    const img = await commitContainer(ctx.engine(), ctx.args[0]!, {
      changes: flagStrings(ctx, 'change'),
      ...(ctx.args[1] ? { reference: ctx.args[1] } : {}),
      ...(flagString(ctx, 'message') !== undefined ? { message: flagString(ctx, 'message')! } : {}),
      ...(flagString(ctx, 'author') !== undefined ? { author: flagString(ctx, 'author')! } : {}),
      pause: pause === undefined ? true : pause === true,
    });
    ctx.stdout.write(`${img.id}\n`);
  },
};

export const exportCommand: Command = {
  path: ['export'],
  aliases: [['container', 'export']],
  usage: 'strata export [OPTIONS] CONTAINER',
  description: "Export a container's filesystem as a tar archive",
  flags: [{ name: 'output', short: 'o', type: 'string', description: 'Write to a file, instead of STDOUT' }],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const out = flagString(ctx, 'output');
    if (!out && (ctx.stdout as NodeJS.WriteStream).isTTY) {
      throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const view = await ctx.engine().containers.rootfs(ctx.args[0]!);
    await pipeline(exportRootfs(view), out ? createWriteStream(out) : ctx.stdout);
  },
};

export const execCommand: Command = {
  path: ['exec'],
  aliases: [['container', 'exec']],
  usage: 'strata exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  description: 'Execute a command in a running container',
  flags: [
    { name: 'interactive', short: 'i', type: 'bool', description: 'Keep STDIN open even if not attached' },
    { name: 'tty', short: 't', type: 'bool', description: 'Allocate a pseudo-TTY' },
    { name: 'env', short: 'e', type: 'strings', value: 'list', description: 'Set environment variables' },
    { name: 'user', short: 'u', type: 'string', description: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    { name: 'workdir', short: 'w', type: 'string', description: 'Working directory inside the container' },
  ],
  interspersed: false,
  minArgs: 2,
  async run(ctx) {
    const engine = ctx.engine();
    const [ref, ...args] = ctx.args;
    const tty = flagBool(ctx, 'tty');
    let proc: ContainerProcess;
    try {
      const size = terminalSize(ctx);
      proc = await engine.containers.exec(ref!, {
        args, tty, env: flagStrings(ctx, 'env'),
        ...(flagString(ctx, 'user') !== undefined ? { user: flagString(ctx, 'user')! } : {}),
        ...(flagString(ctx, 'workdir') !== undefined ? { workdir: flagString(ctx, 'workdir')! } : {}),
        ...(size ? { size } : {}),
      });
    } catch (err) {
      if (err instanceof ExecError) {
        ctx.stderr.write(`OCI runtime exec failed: exec failed: unable to start container process: ${err.message}: unknown\n`);
        return err.exitCode;
      }
      throw err;
    }
    return attachTerminal(ctx, proc, { stdin: flagBool(ctx, 'interactive'), tty });
  },
};

export const containerPruneCommand: Command = {
  path: ['container', 'prune'],
  usage: 'strata container prune [OPTIONS]',
  description: 'Remove all stopped containers',
  flags: [{ name: 'force', short: 'f', type: 'bool', description: 'Do not prompt for confirmation' }],
  maxArgs: 0,
  async run(ctx) {
    if (!flagBool(ctx, 'force')) {
      ctx.stdout.write('WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ');
      const answer = await new Promise<string>((resolve) => {
        let buf = '';
        const onData = (d: Buffer): void => {
          buf += d.toString();
          if (buf.includes('\n')) done();
        };
        const done = (): void => {
          ctx.stdin.off('data', onData);
          ctx.stdin.off('end', done);
          ctx.stdin.pause();
          resolve(buf.trim());
        };
        ctx.stdin.on('data', onData);
        ctx.stdin.on('end', done);
      });
      if (!/^y(es)?$/i.test(answer)) return 0;
    }
    const res = await ctx.engine().containers.prune();
    if (res.deleted.length > 0) ctx.stdout.write(`Deleted Containers:\n${res.deleted.map((id) => `${id}\n`).join('')}\n`);
    ctx.stdout.write(`Total reclaimed space: ${formatBytes(res.reclaimed)}\n`);
  },
};

const ZERO_TIME = '0001-01-01T00:00:00Z';

function isoOrZero(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString() : ZERO_TIME;
}

/** docker's ContainerJSON, for the fields Strata has. */
export function inspectContainer(engine: Engine, ref: string): Record<string, unknown> {
  const c = engine.containers.get(ref);
  const args = containerArgs(c.config);
  const cfg = c.config;
  return {
    Id: c.id,
    Created: new Date(c.created).toISOString(),
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: {
      Status: c.state, Running: c.state === 'running', Paused: false, Restarting: false, OOMKilled: false, Dead: false,
      Pid: c.state === 'running' ? c.sandboxPid : 0, ExitCode: c.exitCode, Error: '',
      StartedAt: isoOrZero(c.startedAt), FinishedAt: isoOrZero(c.finishedAt),
    },
    Image: c.imageId,
    LogPath: `${engine.containers.dirOf(c.id)}/container.log`,
    Name: `/${c.name}`,
    RestartCount: 0,
    Driver: 'overlay',
    Platform: 'linux',
    HostConfig: { AutoRemove: cfg.AutoRemove, NetworkMode: cfg.Network },
    GraphDriver: { Name: 'overlay', Data: { UpperDir: engine.containers.upperDir(c.id), WorkDir: `${engine.containers.dirOf(c.id)}/work` } },
    Mounts: [],
    Config: {
      Hostname: cfg.Hostname, Domainname: '', User: cfg.User ?? '', AttachStdin: cfg.OpenStdin, AttachStdout: true, AttachStderr: true,
      ...(cfg.ExposedPorts ? { ExposedPorts: cfg.ExposedPorts } : {}),
      Tty: cfg.Tty, OpenStdin: cfg.OpenStdin, StdinOnce: false, Env: cfg.Env ?? [], Cmd: cfg.Cmd ?? null, Image: cfg.Image,
      Volumes: cfg.Volumes ?? null, WorkingDir: cfg.WorkingDir ?? '', Entrypoint: cfg.Entrypoint ?? null, OnBuild: cfg.OnBuild ?? null,
      Labels: cfg.Labels ?? {}, ...(cfg.StopSignal ? { StopSignal: cfg.StopSignal } : {}),
    },
    NetworkSettings: { Networks: { [cfg.Network]: {} } },
  };
}

export const containerInspectCommand: Command = {
  path: ['container', 'inspect'],
  usage: 'strata container inspect [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Display detailed information on one or more containers',
  flags: [{ name: 'format', short: 'f', type: 'string', description: "Format output using a custom template: 'json', 'TEMPLATE'" }],
  minArgs: 1,
  async run(ctx) {
    const engine = ctx.engine();
    const found: Record<string, unknown>[] = [];
    const missing: string[] = [];
    for (const ref of ctx.args) {
      try {
        found.push(inspectContainer(engine, ref));
      } catch (err) {
        if (!(err instanceof NoSuchContainerError)) throw err;
        missing.push(ref);
      }
    }
    const format = flagString(ctx, 'format');
    if (format === undefined || format === '' || format === 'json') ctx.stdout.write(`${goEscape(JSON.stringify(found, null, 4))}\n`);
    else {
      const tmpl = compile(format);
      for (const obj of found) ctx.stdout.write(`${tmpl.execute(obj)}\n`);
    }
    for (const ref of missing) ctx.stderr.write(`Error: No such container: ${ref}\n`);
    return missing.length > 0 ? 1 : 0;
  },
};

export const waitCommand: Command = {
  path: ['wait'],
  aliases: [['container', 'wait']],
  usage: 'strata wait CONTAINER [CONTAINER...]',
  description: 'Block until one or more containers stop, then print their exit codes',
  flags: [],
  minArgs: 1,
  async run(ctx) {
    const engine = ctx.engine();
    for (const ref of ctx.args) {
      const id = engine.containers.get(ref).id;
      while (engine.containers.get(id).state === 'running' && !ctx.signal.aborted) await new Promise((r) => setTimeout(r, 100));
      ctx.stdout.write(`${engine.containers.get(id).exitCode}\n`);
    }
  },
};

/** `NAME:PATH` names a container path; anything else (or a path starting with / or .) is the host. */
function containerPath(arg: string): { container: string; path: string } | undefined {
  if (arg.startsWith('/') || arg.startsWith('.')) return undefined;
  const colon = arg.indexOf(':');
  return colon > 0 ? { container: arg.slice(0, colon), path: arg.slice(colon + 1) || '/' } : undefined;
}

export const cpCommand: Command = {
  path: ['cp'],
  aliases: [['container', 'cp']],
  usage: 'strata cp CONTAINER:SRC_PATH DEST_PATH\n        strata cp SRC_PATH CONTAINER:DEST_PATH',
  description: 'Copy files/folders between a container and the local filesystem',
  flags: [],
  minArgs: 2,
  maxArgs: 2,
  async run(ctx) {
    const [a, b] = ctx.args as [string, string];
    const from = containerPath(a);
    const to = containerPath(b);
    if ((from && to) || (!from && !to)) throw new UsageError('copying between containers is not supported; exactly one of SRC and DEST must be CONTAINER:PATH');
    const engine = ctx.engine();
    if (from) {
      const bytes = await copyOut(await engine.containers.rootfs(from.container), from.path, b);
      ctx.stderr.write(`Successfully copied ${formatBytes(bytes)} to ${b}\n`);
    } else {
      const bytes = copyIn(await engine.containers.rootfs(to!.container), a, to!.path);
      ctx.stderr.write(`Successfully copied ${formatBytes(bytes)} to ${b}\n`);
    }
  },
};

export const CONTAINER_COMMANDS: Command[] = [
  containerPruneCommand, containerInspectCommand, waitCommand, cpCommand,
  runCommand, createCommand, startCommand, stopCommand, killCommand, rmCommand, psCommand, logsCommand, diffCommand, commitCommand,
  exportCommand, execCommand,
];
