/** `stop`, `kill`, `rm`, `wait` and `container prune`: one container after another, docker's wording for each failure. */
import { constants as osConstants } from 'node:os';
import type { Command, CommandContext } from '../command.ts';
import { flagBool, flagString } from '../command.ts';
import { UsageError } from '../args.ts';
import { reportError } from '../errors.ts';
import { humanSize } from '../units.ts';
import { confirm } from '../prompt.ts';

/** Applies `fn` to each named container, docker-style: print the name, or an error line and go on. */
export async function eachContainer(ctx: CommandContext, fn: (ref: string) => Promise<void>): Promise<number> {
  let failed = false;
  for (const ref of ctx.args) {
    try {
      await fn(ref);
      ctx.stdout.write(`${ref}\n`);
    } catch (err) {
      failed = true;
      reportError(ctx.stderr, err, 'daemon');
    }
  }
  return failed ? 1 : 0;
}

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

export const restartCommand: Command = {
  path: ['restart'],
  aliases: [['container', 'restart']],
  usage: 'strata restart [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Restart one or more containers',
  flags: [{ name: 'time', short: 't', type: 'string', description: 'Seconds to wait for stop before killing the container' }],
  minArgs: 1,
  async run(ctx) {
    const engine = ctx.engine();
    const t = Number(flagString(ctx, 'time') ?? '10');
    return eachContainer(ctx, async (ref) => {
      await engine.containers.stop(ref, t);
      await engine.containers.startDetached(ref);
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

export const containerPruneCommand: Command = {
  path: ['container', 'prune'],
  usage: 'strata container prune [OPTIONS]',
  description: 'Remove all stopped containers',
  flags: [{ name: 'force', short: 'f', type: 'bool', description: 'Do not prompt for confirmation' }],
  maxArgs: 0,
  async run(ctx) {
    if (!flagBool(ctx, 'force')) {
      if (!(await confirm(ctx, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?'))) return 0;
    }
    const res = await ctx.engine().containers.prune();
    if (res.deleted.length > 0) ctx.stdout.write(`Deleted Containers:\n${res.deleted.map((id) => `${id}\n`).join('')}\n`);
    ctx.stdout.write(`Total reclaimed space: ${humanSize(res.reclaimed)}\n`);
  },
};
