/** `run`, `create`, `start` and `exec`: creating containers (pulling a missing image) and attaching a terminal to their processes. */
import type { Command, CommandContext } from '../command.ts';
import { flagBool, flagString, flagStrings } from '../command.ts';
import { UsageError, type FlagSpec } from '../args.ts';
import type { Engine } from '../../engine/engine.ts';
import { ExecError } from '../../engine/runtime/sandbox.ts';
import { takeLimitedNotice } from '../../engine/snapshot/idmap.ts';
import { StrataError } from '../../../shared/errors.ts';
import { parseExposedPorts } from '../../engine/build/instructions/history.ts';
import { parsePublishSpecs } from '../../engine/network/ports.ts';
import { parseNetworkMode } from '../../engine/runtime/policy.ts';
import { type CreateOptions } from '../../engine/container/config.ts';
import { type ContainerProcess, type ContainerRecord } from '../../engine/container/container-service.ts';
import { ImageNotFoundError } from '../../engine/image/image-service.ts';
import { familiarString, parseReference } from '../../engine/image/reference.ts';
import { pull } from '../../engine/registry/pull.ts';
import { asDaemon, progressRenderer } from './registry.ts';
import { describeError, reportError } from '../errors.ts';
import { eachContainer } from './container-lifecycle.ts';
import { takeSignals } from '../signals.ts';

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
  { name: 'publish', short: 'p', type: 'strings', value: 'list', description: "Publish a container's port(s) to the host" },
  { name: 'publish-all', short: 'P', type: 'bool', description: 'Publish all exposed ports to random ports' },
  { name: 'expose', type: 'strings', value: 'list', description: 'Expose a port or a range of ports' },
];

/**
 * create/run with docker's --pull policy: a missing image is pulled first ("Unable to find image
 * … locally"), with the progress on stderr so stdout stays the container's.
 */
async function createWithPull(ctx: CommandContext, engine: Engine, opts: CreateOptions): Promise<ContainerRecord> {
  const policy = flagString(ctx, 'pull') ?? 'missing';
  if (!['always', 'missing', 'never'].includes(policy)) throw new UsageError(`invalid pull option: '${policy}': must be one of "always", "missing" or "never"`);
  const fetch = async (): Promise<void> => {
    await asDaemon(ctx, () => pull(engine, opts.image, { signal: ctx.signal, onProgress: progressRenderer(ctx.stderr) }));
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

/**
 * docker run/create's reportError: a container that could not be made is the CLI's failure to
 * run, `strata: <error>.` with where to look, status 125 (the process never ran).
 */
async function createOrReport(ctx: CommandContext, engine: Engine, verb: string): Promise<ContainerRecord | number> {
  try {
    return await createWithPull(ctx, engine, createOptions(ctx));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    // `create` reports like any command (status 1); `run` as the CLI's failure to run, 125.
    if (verb === 'create') return reportError(ctx.stderr, err);
    const text = describeError(err).text.trim().replace(/\.$/, '');
    ctx.stderr.write(`strata: ${text}.\nSee 'strata ${verb} --help'.\n`);
    return 125;
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
  Object.assign(opts, portOptions(ctx, mode));
  return opts;
}

/**
 * `-p`, `-P`, `--expose` as docker's CLI reads them; with `--network host` the ports are the
 * host's already, and docker says so.
 */
function portOptions(ctx: CommandContext, mode: CreateOptions['network']): Pick<CreateOptions, 'portBindings' | 'publishAll' | 'expose'> {
  let portBindings: CreateOptions['portBindings'];
  let expose: string[];
  try {
    portBindings = parsePublishSpecs(flagStrings(ctx, 'publish'));
    expose = parseExposedPorts(flagStrings(ctx, 'expose'));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const publishAll = flagBool(ctx, 'publish-all');
  if (mode === 'host' && (Object.keys(portBindings).length > 0 || publishAll)) {
    ctx.stderr.write('WARNING: Published ports are discarded when using host network mode\n');
  }
  return { portBindings, expose, publishAll };
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

/**
 * docker's CheckTty: `-it` with an input that is no terminal is refused before anything is
 * created (status 1, docker's bare message).
 */
function checkTty(ctx: CommandContext): void {
  if (flagBool(ctx, 'tty') && flagBool(ctx, 'interactive') && ctx.stdin.isTTY !== true) {
    throw new UsageError('the input device is not a TTY', 1);
  }
}

function terminalSize(ctx: CommandContext): { cols: number; rows: number } | undefined {
  const out = ctx.stdout as NodeJS.WriteStream;
  return out.isTTY && out.columns && out.rows ? { cols: out.columns, rows: out.rows } : undefined;
}

/** docker's wording for a process that could not start; returns its exit code. */
function startFailed(ctx: CommandContext, err: unknown): number {
  if (err instanceof StrataError) return reportError(ctx.stderr, err, 'start');
  throw err;
}

/**
 * docker's signal proxy: while the CLI is attached, the signals it gets go to the container's
 * main process (`kill`), which decides: a shell that traps SIGINT keeps running and the CLI stays
 * attached. Without the proxy they are dropped and the container is left alone. Either way a
 * third SIGINT/SIGTERM ends the CLI (main.ts), and with it the container this CLI runs.
 */
function proxySignals(engine: Engine, id: string, proxy: boolean): () => void {
  const forward = (signal: NodeJS.Signals): void => {
    engine.containers.kill(id, signal).catch(() => {
      /* it ended meanwhile */
    });
  };
  return takeSignals(proxy ? forward : () => {}, { forwardOthers: proxy });
}

async function runForeground(ctx: CommandContext, engine: Engine, rec: ContainerRecord, stdin: boolean, sigProxy: boolean | undefined): Promise<number> {
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
  const release = sigProxy === undefined ? () => {} : proxySignals(engine, rec.id, sigProxy);
  let code: number;
  try {
    code = await attachTerminal(ctx, proc, { stdin, tty: rec.config.Tty });
  } finally {
    release();
  }
  if (rec.config.AutoRemove) await engine.containers.remove(rec.id, { force: true });
  return code;
}

export const runCommand: Command = {
  path: ['run'],
  aliases: [['container', 'run']],
  usage: 'strata run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create and run a new container from an image',
  flags: [
    ...CREATE_FLAGS,
    { name: 'detach', short: 'd', type: 'bool', description: 'Run container in background and print container ID' },
    { name: 'sig-proxy', type: 'bool', description: 'Proxy received signals to the process (default true)' },
  ],
  interspersed: false,
  minArgs: 1,
  async run(ctx) {
    if (!flagBool(ctx, 'detach')) checkTty(ctx);
    const engine = ctx.engine();
    const rec = await createOrReport(ctx, engine, 'run');
    if (typeof rec === 'number') return rec;
    // Rootless without subordinate IDs: said once, with the fix (docs/containers.md, User IDs).
    const limited = takeLimitedNotice();
    if (limited) ctx.stderr.write(`WARNING: ${limited}\n`);
    if (flagBool(ctx, 'detach')) {
      try {
        await engine.containers.startDetached(rec.id);
      } catch (err) {
        return startFailed(ctx, err);
      }
      ctx.stdout.write(`${rec.id}\n`);
      return 0;
    }
    return runForeground(ctx, engine, rec, flagBool(ctx, 'interactive'), ctx.flags['sig-proxy'] !== false);
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
    const rec = await createOrReport(ctx, ctx.engine(), 'create');
    if (typeof rec === 'number') return rec;
    ctx.stdout.write(`${rec.id}\n`);
  },
};

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
      // docker's start forwards signals to a container without a terminal only.
      return runForeground(ctx, engine, rec, flagBool(ctx, 'interactive'), rec.config.Tty ? undefined : true);
    }
    return eachContainer(ctx, (ref) => engine.containers.startDetached(ref));
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
    checkTty(ctx);
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
      if (err instanceof ExecError) return reportError(ctx.stderr, err, 'exec');
      throw err;
    }
    return attachTerminal(ctx, proc, { stdin: flagBool(ctx, 'interactive'), tty });
  },
};
