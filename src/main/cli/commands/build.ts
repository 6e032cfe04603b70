import type { Writable } from 'node:stream';
import type { Command, CommandContext } from '../command.ts';
import { flagBool, flagString, flagStrings } from '../command.ts';
import { UsageError } from '../args.ts';
import { formatBytes } from '../format.ts';
import { build, BuildError, type BuildEvent } from '../../engine/build/builder.ts';
import { BuildCache } from '../../engine/build/cache.ts';
import { sweepInterruptedBuilds } from '../../engine/build/leftovers.ts';
import { BuildHistory } from '../../engine/build/history-store.ts';
import { adviseOrder } from '../../engine/build/advisor.ts';
import { openContext } from '../../engine/build/context.ts';
import { shortId } from '../../engine/store/digest.ts';
import { hostPlatform } from '../../engine/image/oci.ts';

/** `--build-arg k=v`; a bare `k` takes the value from the environment (and is skipped when unset). */
export function parseBuildArgs(values: readonly string[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq === 0) throw new UsageError(`invalid argument "${v}" for "--build-arg" flag: invalid key`);
    if (eq > 0) out[v.slice(0, eq)] = v.slice(eq + 1);
    else if (env[v] !== undefined) out[v] = env[v]!;
  }
  return out;
}

/**
 * BuildKit's plain progress: `#n name`, then CACHED / log lines / `#n DONE 0.1s`, a blank line
 * between vertices. A cache miss prints its reason on its own line.
 */
export function plainPrinter(out: Writable): (e: BuildEvent) => void {
  const started = new Map<number, number>();
  const pending = new Map<number, string>();
  return (e) => {
    switch (e.type) {
      case 'vertex':
        started.set(e.n, performance.now());
        out.write(`#${e.n} ${e.name}\n`);
        break;
      case 'cached':
        out.write(`#${e.n} CACHED\n\n`);
        started.delete(e.n);
        break;
      case 'miss':
        out.write(`#${e.n} cache miss: ${e.reason}\n`);
        break;
      case 'log': {
        const t = ((performance.now() - (started.get(e.n) ?? performance.now())) / 1000).toFixed(3);
        const text = (pending.get(e.n) ?? '') + e.text;
        const lines = text.split('\n');
        pending.set(e.n, lines.pop()!);
        for (const l of lines) out.write(`#${e.n} ${t} ${l}\n`);
        break;
      }
      case 'status':
        out.write(`#${e.n} ${e.text}\n`);
        break;
      case 'done':
        if (!started.has(e.n)) break;
        if (pending.get(e.n)) out.write(`#${e.n} ${pending.get(e.n)}\n`);
        pending.delete(e.n);
        started.delete(e.n);
        out.write(`#${e.n} DONE ${(e.durationMs / 1000).toFixed(1)}s\n\n`);
        break;
      case 'error':
        if (e.n !== undefined) out.write(`#${e.n} ERROR: ${e.message}\n`);
        break;
      case 'warning':
        out.write(`[Warning] ${e.message}\n`);
        break;
      case 'result':
        break;
    }
  };
}

export const buildCommand: Command = {
  path: ['build'],
  aliases: [['image', 'build'], ['buildx', 'build']],
  usage: 'strata build [OPTIONS] PATH',
  description: 'Build an image from a Dockerfile',
  flags: [
    { name: 'tag', short: 't', type: 'strings', value: 'list', description: 'Name and optionally a tag (format: "name:tag")' },
    { name: 'file', short: 'f', type: 'string', value: 'string', description: 'Name of the Dockerfile (default: "PATH/Dockerfile")' },
    { name: 'build-arg', type: 'strings', value: 'stringArray', description: 'Set build-time variables' },
    { name: 'target', type: 'string', value: 'string', description: 'Set the target build stage to build' },
    { name: 'no-cache', type: 'bool', description: 'Do not use cache when building the image' },
    { name: 'progress', type: 'string', value: 'string', description: 'Set type of progress output ("plain", "json")' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress the build output and print image ID on success' },
    { name: 'platform', type: 'string', value: 'string', description: 'Set target platform for build (only the host platform)' },
    { name: 'network', type: 'string', value: 'string', description: 'Set the networking mode for the RUN instructions during build ("none" (default), "host")' },
    { name: 'allow', type: 'strings', value: 'stringArray', description: 'Allow extra privileged entitlement (e.g., "network.host")' },
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const progress = flagString(ctx, 'progress') ?? 'plain';
    if (!['plain', 'json', 'auto', 'tty'].includes(progress)) throw new UsageError(`invalid progress mode: ${progress}`);
    const quiet = flagBool(ctx, 'quiet');
    const platform = flagString(ctx, 'platform');
    const host = hostPlatform();
    if (platform && platform !== `${host.os}/${host.architecture}`) {
      throw new UsageError(`only the host platform (${host.os}/${host.architecture}) can be built, not ${platform}`);
    }
    const network = flagString(ctx, 'network');
    if (network !== undefined && !['host', 'none', 'default'].includes(network)) throw new UsageError(`network mode "${network}" not supported by buildkit`);
    for (const e of flagStrings(ctx, 'allow')) if (e !== 'network.host' && e !== 'security.insecure') throw new UsageError(`invalid entitlement: ${e}`);
    const onEvent = quiet ? undefined : progress === 'json' ? (e: BuildEvent) => ctx.stdout.write(`${JSON.stringify(e)}\n`) : plainPrinter(ctx.stderr);
    try {
      const res = await build(ctx.engine(), {
        context: ctx.args[0]!,
        ...(flagString(ctx, 'file') ? { dockerfile: flagString(ctx, 'file')! } : {}),
        tags: flagStrings(ctx, 'tag'),
        buildArgs: parseBuildArgs(flagStrings(ctx, 'build-arg')),
        ...(flagString(ctx, 'target') ? { target: flagString(ctx, 'target')! } : {}),
        noCache: flagBool(ctx, 'no-cache'),
        ...(network ? { network: network as 'host' | 'none' | 'default' } : {}),
        allow: flagStrings(ctx, 'allow'),
        signal: ctx.signal,
        ...(onEvent ? { onEvent } : {}),
      });
      if (quiet) ctx.stdout.write(`${res.imageId}\n`);
      return 0;
    } catch (err) {
      if (!(err instanceof BuildError)) throw err;
      const where = err.line && !err.message.startsWith('dockerfile parse error') ? `Dockerfile:${err.line}: ` : '';
      ctx.stderr.write(`ERROR: failed to solve: ${where}${err.message.replace(/^failed to solve: /, '')}\n`);
      return 1;
    }
  },
};

async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  ctx.stdout.write(`${question} [y/N] `);
  const answer = await new Promise<string>((resolve) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      if (buf.includes('\n')) {
        ctx.stdin.off('data', onData);
        ctx.stdin.pause();
        resolve(buf.trim());
      }
    };
    ctx.stdin.on('data', onData);
    ctx.stdin.once('end', () => resolve(buf.trim()));
  });
  return /^y(es)?$/i.test(answer);
}

export const builderPruneCommand: Command = {
  path: ['builder', 'prune'],
  aliases: [['buildx', 'prune']],
  usage: 'strata builder prune [OPTIONS]',
  description: 'Remove build cache',
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Remove all unused build cache, not just dangling ones' },
    { name: 'force', short: 'f', type: 'bool', description: 'Do not prompt for confirmation' },
  ],
  maxArgs: 0,
  async run(ctx) {
    const all = flagBool(ctx, 'all');
    if (!flagBool(ctx, 'force')) {
      const warning = all ? 'WARNING! This will remove all build cache.' : 'WARNING! This will remove all dangling build cache.';
      if (!(await confirm(ctx, `${warning} Are you sure you want to continue?`))) return 0;
    }
    const engine = ctx.engine();
    sweepInterruptedBuilds(engine);
    const removed = new BuildCache(engine.db, engine.events).prune(all);
    await engine.gc.collect();
    if (removed.keys.length > 0) {
      ctx.stdout.write('Deleted build cache objects:\n');
      for (const k of removed.keys) ctx.stdout.write(`${k.replace(/^sha256:/, '').slice(0, 25)}\n`);
      ctx.stdout.write('\n');
    }
    // BuildKit reports the removed records' sizes; the blob bytes gc unlinked are not docker's figure.
    ctx.stdout.write(`Total:\t${formatBytes(removed.size)}\n`);
    return 0;
  },
};

export const builderHistoryCommand: Command = {
  path: ['builder', 'history'],
  aliases: [['buildx', 'history', 'ls']],
  usage: 'strata builder history [OPTIONS]',
  description: 'List recorded builds',
  flags: [{ name: 'steps', type: 'bool', description: 'Show the steps of each build' }],
  maxArgs: 0,
  async run(ctx) {
    const h = new BuildHistory(ctx.engine().db);
    const rows = h.list({ limit: 50 });
    ctx.stdout.write(`${'BUILD ID'.padEnd(26)}${'STATUS'.padEnd(11)}${'IMAGE'.padEnd(14)}${'CACHED'.padEnd(9)}${'TIME'.padEnd(8)}DOCKERFILE\n`);
    for (const b of rows) {
      const steps = h.steps(b.id);
      const cached = `${steps.filter((s) => s.cached).length}/${steps.length}`;
      const secs = b.finishedAt ? `${((b.finishedAt - b.startedAt) / 1000).toFixed(1)}s` : '-';
      ctx.stdout.write(`${b.id.padEnd(26)}${b.status.padEnd(11)}${(b.imageId ? shortId(b.imageId) : '<none>').padEnd(14)}${cached.padEnd(9)}${secs.padEnd(8)}${b.dockerfile}\n`);
      if (flagBool(ctx, 'steps')) {
        for (const s of steps) ctx.stdout.write(`  #${s.n} ${s.instruction}  ${s.cached ? 'CACHED' : s.reason}\n`);
      }
    }
  },
};

export const builderAdviseCommand: Command = {
  path: ['builder', 'advise'],
  usage: 'strata builder advise [OPTIONS] PATH',
  description: 'Suggest instruction order changes from recorded builds of a Dockerfile',
  flags: [{ name: 'file', short: 'f', type: 'string', value: 'string', description: 'Name of the Dockerfile (default: "PATH/Dockerfile")' }],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const c = openContext(ctx.args[0]!, flagString(ctx, 'file'));
    const advice = adviseOrder(ctx.engine(), { context: c.dir, dockerfile: c.dockerfile });
    if (advice.suggestions.length === 0) {
      ctx.stdout.write(`No reordering suggested (${advice.builds} recorded build${advice.builds === 1 ? '' : 's'} analysed).\n`);
      return;
    }
    for (const s of advice.suggestions) ctx.stdout.write(`${s.message}\n`);
  },
};
