/**
 * `run`, `exec`, `start`, `stop` and `restart` against an Engine API provider, as docker 20.10's
 * CLI does them without a terminal: run creates (pulling a missing image, its progress on stderr),
 * attaches stdout and stderr and registers its wait before it starts the container, and exits
 * with the container's status; exec exits with the command's. A terminal (`-i`, `-t`) is not
 * offered against an engine yet.
 */
import type { CommandContext } from '../command.ts';
import { flagBool, flagString, flagStrings } from '../command.ts';
import type { ContainerSpec, OutputChunk, Provider } from '../../providers/provider.ts';
import { familiarName, familiarString, parseReference, repositoryName } from '../../engine/image/reference.ts';
import { StrataError } from '../../../shared/errors.ts';
import { displayJsonMessages, StreamError } from '../jsonmessage.ts';
import { daemonMessage } from '../provider-errors.ts';

type ProviderCommand = (ctx: CommandContext, p: Provider) => Promise<number | void>;

function refuseTerminal(ctx: CommandContext, verb: string): void {
  for (const flag of ['interactive', 'tty', 'attach']) {
    if (flagBool(ctx, flag)) throw new StrataError('unsupported', `"strata ${verb} --${flag}" is not supported against an Engine API provider yet`);
  }
}

/** docker's ValidateEnv: a bare `KEY` takes the client's value when it has one, else stays bare. */
function clientEnv(values: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  return values.map((v) => (v.includes('=') || env[v] === undefined ? v : `${v}=${env[v]}`));
}

function labels(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    out[eq < 0 ? v : v.slice(0, eq)] = eq < 0 ? '' : v.slice(eq + 1);
  }
  return out;
}

function containerSpec(ctx: CommandContext, detach: boolean): ContainerSpec {
  for (const flag of ['publish', 'expose', 'env-file']) {
    if (flagStrings(ctx, flag).length > 0) throw new StrataError('unsupported', `"strata run --${flag}" is not supported against an Engine API provider yet`);
  }
  if (flagBool(ctx, 'publish-all')) throw new StrataError('unsupported', '"strata run --publish-all" is not supported against an Engine API provider yet');
  const [image, ...cmd] = ctx.args;
  const optional = { name: flagString(ctx, 'name'), entrypoint: flagString(ctx, 'entrypoint'), workdir: flagString(ctx, 'workdir'), user: flagString(ctx, 'user'), network: flagString(ctx, 'network') };
  return {
    image: image!, cmd, env: clientEnv(flagStrings(ctx, 'env')), labels: labels(flagStrings(ctx, 'label')), autoRemove: flagBool(ctx, 'rm'), attach: !detach,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  };
}

/** docker run's pull of a missing image: its progress on stderr, stdout kept for the container. */
async function pullForRun(ctx: CommandContext, p: Provider, image: string): Promise<void> {
  const ref = parseReference(image);
  await displayJsonMessages(p.pullImage({ name: familiarName(repositoryName(ref)), tag: ref.digest ?? ref.tag! }, { auth: {}, signal: ctx.signal }), ctx.stderr);
}

function isReference(image: string): boolean {
  try {
    parseReference(image);
    return true;
  } catch {
    return false;
  }
}

async function createWithPull(ctx: CommandContext, p: Provider, spec: ContainerSpec): Promise<{ Id: string; Warnings: string[] }> {
  const policy = flagString(ctx, 'pull') ?? 'missing';
  if (!['always', 'missing', 'never'].includes(policy)) throw new StrataError('invalid', `invalid pull option: '${policy}': must be one of "always", "missing" or "never"`);
  if (policy === 'always') await pullForRun(ctx, p, spec.image);
  try {
    return await p.createContainer(spec);
  } catch (err) {
    if (!(err instanceof StrataError && err.code === 'not-found') || policy !== 'missing' || !isReference(spec.image)) throw err;
    ctx.stderr.write(`Unable to find image '${familiarString(parseReference(spec.image))}' locally\n`);
    await pullForRun(ctx, p, spec.image);
    return p.createContainer(spec);
  }
}

/** docker run's reportError and exit status: 127 for a command not found, 126 not executable, else 125. */
function runFailed(ctx: CommandContext, err: unknown, withHelp: boolean): number {
  const text = err instanceof StreamError ? err.message : daemonMessage(err);
  ctx.stderr.write(`strata: ${text.replace(/\.$/, '')}.\n${withHelp ? "See 'strata run --help'.\n" : ''}`);
  const reason = text.replace(/^Error response from daemon: /, '');
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(reason)) return 127;
  if (reason.includes('permission denied')) return 126;
  return 125;
}

async function copyOutput(ctx: CommandContext, output: AsyncIterable<OutputChunk>): Promise<void> {
  for await (const chunk of output) (chunk.stream === 'stderr' ? ctx.stderr : ctx.stdout).write(chunk.data);
}

async function run(ctx: CommandContext, p: Provider): Promise<number> {
  refuseTerminal(ctx, 'run');
  const detach = flagBool(ctx, 'detach');
  const spec = containerSpec(ctx, detach);
  let created: { Id: string; Warnings: string[] };
  try {
    created = await createWithPull(ctx, p, spec);
  } catch (err) {
    return runFailed(ctx, err, true);
  }
  for (const w of created.Warnings) ctx.stderr.write(`WARNING: ${w}\n`);
  if (detach) {
    // docker prints the ID before it starts the container
    ctx.stdout.write(`${created.Id}\n`);
    try {
      await p.startContainer(created.Id);
    } catch (err) {
      return runFailed(ctx, err, false);
    }
    return 0;
  }
  // Both connections close when the run ends, however it ends (a failed start, an interrupt).
  const done = new AbortController();
  const stop = (): void => done.abort();
  ctx.signal.addEventListener('abort', stop, { once: true });
  try {
    const output = await p.attachContainer(created.Id, { signal: done.signal });
    const wait = await p.waitContainer(created.Id, spec.autoRemove ? 'removed' : 'next-exit', { signal: done.signal });
    try {
      await p.startContainer(created.Id);
    } catch (err) {
      const status = runFailed(ctx, err, false);
      // --rm: the engine removes the container that never ran; docker waits for that
      if (spec.autoRemove) await wait.exited.catch(() => 0);
      return status;
    }
    await copyOutput(ctx, output);
    return await wait.exited.catch(() => 125);
  } finally {
    ctx.signal.removeEventListener('abort', stop);
    stop();
  }
}

async function exec(ctx: CommandContext, p: Provider): Promise<number> {
  refuseTerminal(ctx, 'exec');
  const [name, ...cmd] = ctx.args;
  // docker looks the container up first: a missing one is named as the user wrote it
  try {
    await p.inspectContainer(name!);
  } catch (err) {
    if (err instanceof StrataError && err.code === 'not-found') throw new StrataError('not-found', `No such container: ${name}`, { cause: err });
    throw err;
  }
  const user = flagString(ctx, 'user');
  const workdir = flagString(ctx, 'workdir');
  const started = await p.execInContainer(name!, {
    cmd, env: clientEnv(flagStrings(ctx, 'env')), ...(user !== undefined ? { user } : {}), ...(workdir !== undefined ? { workdir } : {}),
  });
  await copyOutput(ctx, started.output);
  return started.exitCode();
}

async function start(ctx: CommandContext, p: Provider): Promise<number> {
  refuseTerminal(ctx, 'start');
  const failed: string[] = [];
  for (const name of ctx.args) {
    try {
      await p.startContainer(name);
      ctx.stdout.write(`${name}\n`);
    } catch (err) {
      ctx.stderr.write(`${daemonMessage(err)}\n`);
      failed.push(name);
    }
  }
  if (failed.length === 0) return 0;
  ctx.stderr.write(`Error: failed to start containers: ${failed.join(', ')}\n`);
  return 1;
}

/** stop and restart: each container in turn, the errors together at the end (docker 20.10's order). */
function stopping(action: (p: Provider, name: string, o: { timeout?: number }) => Promise<void>): ProviderCommand {
  return async (ctx, p) => {
    if (flagString(ctx, 'signal') !== undefined) throw new StrataError('unsupported', '--signal is not supported against an Engine API provider yet');
    const time = flagString(ctx, 'time');
    const timeout = time === undefined ? undefined : Number(time);
    if (timeout !== undefined && !Number.isInteger(timeout)) throw new StrataError('invalid', `invalid argument "${time}" for "-t, --time" flag: strconv.ParseInt: parsing "${time}": invalid syntax`);
    const errors: string[] = [];
    for (const name of ctx.args) {
      try {
        await action(p, name, timeout !== undefined ? { timeout } : {});
        ctx.stdout.write(`${name}\n`);
      } catch (err) {
        errors.push(daemonMessage(err));
      }
    }
    if (errors.length === 0) return 0;
    ctx.stderr.write(`${errors.join('\n')}\n`);
    return 1;
  };
}

export const CONTAINER_PROVIDER_COMMANDS: Record<string, ProviderCommand> = {
  run, exec, start,
  stop: stopping((p, name, o) => p.stopContainer(name, o)),
  restart: stopping((p, name, o) => p.restartContainer(name, o)),
};
