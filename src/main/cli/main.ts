/**
 * The CLI's entry: global flags, then the one command argv names. Only what every command needs
 * is imported here; the command's module, the engine and the providers load when used (see
 * loader.ts), so `--version` and `--help` cost a Node start and little more.
 */
import type { Engine } from '../engine/engine.ts';
import { defaultRoot } from '../engine/paths.ts';
import { parseArgs, UsageError } from './args.ts';
import type { Command, CommandContext } from './command.ts';
import { allCommands, cacheDir, findCommand } from './loader.ts';
import type { Provider } from '../providers/provider.ts';
import type { Endpoint } from '../providers/engine-api/endpoint.ts';
import { setLastResort } from '../host/last-resort.ts';
import { join, resolve } from 'node:path';
import { StrataError } from '../../shared/errors.ts';
import { signalTaken } from './signals.ts';

export { findCommand };

/**
 * Commands that free space: on a full disk they may spend the store's space reserve, so that
 * their own database writes have room (see releaseSpaceReserve).
 */
const FREES_SPACE = ['rmi', 'image prune', 'system gc', 'builder prune', 'rm', 'container prune'];

/**
 * Errors nothing caught (an 'error' event of a stream no one listens to, a throw in a callback)
 * while a command runs end that command like any other error: one line, status 1.
 */
let uncaught: ((err: unknown) => void) | undefined;

const GLOBAL_HELP = `Usage:  strata [--root DIR | -H HOST | --context NAME] COMMAND

A daemonless, rootless image manager with docker's commands and output.

Options:
      --root DIR       Store directory (default: $STRATA_ROOT or the per-user data directory)
  -H, --host URL       Talk to a Docker Engine API instead of the Strata store (unix://, tcp://, ssh://)
  -c, --context NAME   Use a docker context ("default": the Strata store; see strata context ls)
  -h, --help           Print usage
`;

interface GlobalOptions {
  root: string;
  host?: string;
  context?: string;
}

/** The value of a global flag given as `-H URL`, `-H=URL`, `--host URL` or `--host=URL`. */
function flagValue(a: string, argv: string[], names: string[]): string | undefined {
  for (const n of names) {
    if (a === n) return argv.shift() ?? '';
    if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
  }
  return undefined;
}

function helpFor(c: Command): string {
  const lines = [`Usage:  ${c.usage}`, '', c.description, ''];
  if (c.aliases?.length) lines.push('Aliases:', `  ${[c.path, ...c.aliases].map((p) => p.join(' ')).join(', ')}`, '');
  if (c.flags.length) {
    lines.push('Options:');
    for (const f of c.flags) {
      const left = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.type === 'bool' ? '' : ` ${f.value ?? (f.type === 'strings' ? 'list' : 'string')}`}`;
      lines.push(`  ${left.padEnd(28)} ${f.description}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function commandList(): Promise<string> {
  const rows = (await allCommands()).map((c) => `  ${c.path.join(' ').padEnd(20)} ${c.description}`).sort();
  return `${GLOBAL_HELP}\nCommands:\n${rows.join('\n')}\n`;
}

export async function main(argv: string[], io: Pick<CommandContext, 'stdout' | 'stderr' | 'stdin'> = process): Promise<number> {
  const global: GlobalOptions = { root: defaultRoot() };
  // Global flags come before the command.
  while (argv[0]?.startsWith('-')) {
    const a = argv.shift()!;
    let v: string | undefined;
    if ((v = flagValue(a, argv, ['--root'])) !== undefined) global.root = v;
    else if ((v = flagValue(a, argv, ['-H', '--host'])) !== undefined) global.host = v;
    else if ((v = flagValue(a, argv, ['-c', '--context'])) !== undefined) global.context = v;
    else if (a === '-h' || a === '--help') {
      io.stdout.write(await commandList());
      return 0;
    } else if (a === '-v' || a === '--version') {
      io.stdout.write('strata version 0.1.0\n');
      return 0;
    } else {
      io.stderr.write(`unknown flag: ${a}\nSee 'strata --help'.\n`);
      return 125;
    }
  }
  if (argv.length === 0) {
    io.stdout.write(await commandList());
    return 0;
  }
  const found = await findCommand(argv);
  if (!found) {
    io.stderr.write(`strata: '${argv.join(' ')}' is not a strata command.\nSee 'strata --help'\n`);
    return 1;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || (rest.includes('-h') && !command.flags.some((f) => f.short === 'h'))) {
    io.stdout.write(helpFor(command));
    return 0;
  }
  if (global.host !== undefined && global.context !== undefined) {
    io.stderr.write('Conflicting options: either specify --host or --context, not both\n');
    return 1;
  }
  const root = global.root;
  let engine: Engine | undefined;
  let openEngine: typeof Engine.open | undefined;
  let provider: Provider | undefined;
  const abort = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals >= 3) {
      // docker 28's way out of a container that ignores what it is sent.
      io.stderr.write('\ngot 3 SIGTERM/SIGINTs, forcefully exiting\n');
      process.exit(1);
    }
    if (!signalTaken(signal)) abort.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const name = command.path.join(' ');
    const invoked = `strata ${argv.slice(0, argv.length - rest.length).join(' ')}`;
    const parsed = parseFlags(rest, command, invoked);
    checkArgCount(command, parsed.args.length, invoked);
    const ctx = {
      ...parsed,
      root,
      stdout: io.stdout,
      stderr: io.stderr,
      // Made on first use: Node builds process.stdin (a stream, and for a pipe a socket) when it
      // is first read, a few milliseconds no command but load, import and the prompts needs.
      get stdin() {
        return io.stdin;
      },
      signal: abort.signal,
      engine: (): Engine => {
        if (!openEngine) throw new Error('the store is not open against an Engine API provider');
        return (engine ??= openEngine({ root }));
      },
    };
    const escaped = new Promise<never>((_, reject) => {
      uncaught = (err) => {
        abort.abort(err);
        reject(err);
      };
    });
    // `context` manages the choice itself; every other command goes where -H/--context points.
    let selected: Awaited<ReturnType<typeof selectedEndpoint>>;
    try {
      selected = command.path[0] === 'context' ? undefined : await selectedEndpoint(global);
    } catch (err) {
      return (await import('./errors.ts')).reportError(io.stderr, err, 'client');
    }
    if (!selected) {
      const { Engine } = await import('../engine/engine.ts');
      openEngine = (o) => Engine.open(o);
      if (FREES_SPACE.includes(name)) (await import('../engine/metadata/db.ts')).releaseSpaceReserve(join(resolve(root), 'strata.db'));
      return (await Promise.race([command.run(ctx), escaped])) ?? 0;
    }
    const { PROVIDER_COMMANDS } = await import('./commands/provider.ts');
    const routed = PROVIDER_COMMANDS[name];
    if (!routed) throw new StrataError('unsupported', `"strata ${name}" is not supported against an Engine API provider yet`);
    // Loaded only here: the Engine API client (dockerode, ssh2) costs every other command nothing.
    const { EngineApiProvider } = await import('../providers/engine-api/provider.ts');
    provider = await EngineApiProvider.connect(selected.endpoint, selected.name);
    return (await Promise.race([routed(ctx, provider), escaped])) ?? 0;
  } catch (caught) {
    const err = provider ? caught : (await import('../engine/metadata/db.ts')).explainDiskFull(caught, resolve(root));
    // An engine's refusal reads as docker prints it (`Error response from daemon: …`).
    if (provider && !(err instanceof UsageError)) {
      if (process.env.STRATA_DEBUG) io.stderr.write(`${(err as Error)?.stack ?? String(err)}
`);
      io.stderr.write(`${(await import('./commands/provider.ts')).daemonMessage(err as Error)}
`);
      return 1;
    }
    // `context` works on the client's own files: docker prints its refusals as `Error: …`.
    return (await import('./errors.ts')).reportError(io.stderr, err, command.path[0] === 'context' ? 'client' : 'command');
  } finally {
    uncaught = undefined;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (engine) {
      engine.close();
      (await import('../engine/metadata/db.ts')).ensureSpaceReserve(join(engine.root, 'strata.db'));
    }
    provider?.close();
  }
}

/** Where -H/--context (or the current context) points; undefined for the Strata store. */
async function selectedEndpoint(global: GlobalOptions): Promise<{ name: string; endpoint: Endpoint } | undefined> {
  const [{ selectEndpoint }, { currentContext }] = await Promise.all([import('../providers/discovery.ts'), import('../providers/contexts.ts')]);
  return selectEndpoint({ ...global, current: currentContext() });
}

/** Flags as docker's cobra reads them; a refusal ends with where to look (status 125). */
function parseFlags(rest: string[], command: Command, invoked: string): ReturnType<typeof parseArgs> {
  try {
    return parseArgs(rest, command.flags, command.interspersed ?? true);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${err.message}\nSee '${invoked} --help'.`);
    throw err;
  }
}

function plural(n: number): string {
  return n === 1 ? 'argument' : 'arguments';
}

/** docker/cli's cli/required.go: the wording for a wrong number of arguments, status 1. */
function checkArgCount(command: Command, count: number, invoked: string): void {
  const { minArgs: min, maxArgs: max } = command;
  let problem: string | undefined;
  if (max === 0 && count > 0) problem = 'accepts no arguments';
  else if (min !== undefined && min === max && count !== min) problem = `requires exactly ${min} ${plural(min)}`;
  else if (min !== undefined && max !== undefined && (count < min || count > max)) problem = `requires at least ${min} and at most ${max} ${plural(max)}`;
  else if (min !== undefined && count < min) problem = `requires at least ${min} ${plural(min)}`;
  else if (max !== undefined && count > max) problem = `requires at most ${max} ${plural(max)}`;
  if (problem) {
    const usage = command.usage.replace(/^strata( \S+)+?(?= [A-Z[]|$)/, invoked);
    throw new UsageError(`"${invoked}" ${problem}.\nSee '${invoked} --help'.\n\nUsage:  ${usage}\n\n${command.description}`, 1);
  }
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/**
 * A reader that went away (`strata images | head -1`) ends the command quietly, as docker's CLI
 * is ended by SIGPIPE: no message, the shell's status for it (128 + 13). Node ignores SIGPIPE, so
 * a write to the closed pipe fails with EPIPE instead.
 */
function exitOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(141);
    throw err;
  });
}

/**
 * The CLI as a process runs it: argv from the command line, the exit status set on the process.
 * Called below when main.ts is Node's entry, and by the bundled CLI's entry (out/cli/strata.mjs,
 * made by scripts/build-cli.ts) with this module either bundled or, when a source changed since
 * the build, from the sources.
 */
export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  // Run as `node src/main/cli/main.ts` (bin/strata sets NODE_COMPILE_CACHE itself): the modules
  // loaded from here on, every command's, still reuse their compiled form.
  if (!process.env.NODE_COMPILE_CACHE && !process.env.NODE_DISABLE_COMPILE_CACHE) (await import('node:module')).enableCompileCache(join(cacheDir(), 'node-compile-cache'));
  exitOnClosedPipe(process.stdout);
  exitOnClosedPipe(process.stderr);
  let escapedOnce = false;
  setLastResort((err) => {
    escapedOnce = true;
    if (uncaught) return uncaught(err);
    // Between commands (or after one): nothing to end gracefully.
    if (process.env.STRATA_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.stderr.write(`Error: ${oneLine(err)}\n`);
    process.exit(1);
  });
  const code = await main(argv);
  process.exitCode = code;
  // An aborted command may leave work behind that would keep the process alive: it is over.
  if (escapedOnce) process.exit(code);
}

if (import.meta.main) await run();
