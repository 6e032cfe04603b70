import type { Command } from '../command.ts';
import { flagBool, flagString, flagStrings } from '../command.ts';
import { UsageError } from '../args.ts';
import { humanSize } from '../units.ts';
import { build, BuildError, type BuildEvent } from '../../engine/build/builder.ts';
import { BuildCache } from '../../engine/build/cache.ts';
import { BuildHistory } from '../../engine/build/history-store.ts';
import { openContext } from '../../engine/build/context.ts';
import { shortId } from '../../../shared/format.ts';
import { hostPlatform } from '../../engine/image/oci.ts';
import { reportError } from '../errors.ts';
import { confirm } from '../prompt.ts';
import { failedStepBlock, progressPrinter, type ProgressMode } from '../build-progress.ts';

/** docker 28's --progress values, and Strata's `json` event stream. */
const PROGRESS_MODES = ['auto', 'tty', 'plain', 'quiet', 'rawjson', 'json'];

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
    { name: 'progress', type: 'string', value: 'string', description: 'Set type of progress output ("auto", "quiet", "plain", "tty", "rawjson"). Use plain to show container output (default "auto")' },
    { name: 'pull', type: 'bool', description: 'Always attempt to pull all referenced images' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress the build output and print image ID on success' },
    { name: 'platform', type: 'string', value: 'string', description: 'Set target platform for build (only the host platform)' },
    { name: 'network', type: 'string', value: 'string', description: 'Set the networking mode for the RUN instructions during build ("none" (default), "host")' },
    { name: 'allow', type: 'strings', value: 'stringArray', description: 'Allow extra privileged entitlement (e.g., "network.host")' },
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const progress = flagString(ctx, 'progress') ?? 'auto';
    if (!PROGRESS_MODES.includes(progress)) throw new UsageError(`invalid progress mode: ${progress}`);
    const quiet = flagBool(ctx, 'quiet') || progress === 'quiet';
    const platform = flagString(ctx, 'platform');
    const host = hostPlatform();
    if (platform && platform !== `${host.os}/${host.architecture}`) {
      throw new UsageError(`only the host platform (${host.os}/${host.architecture}) can be built, not ${platform}`);
    }
    const network = flagString(ctx, 'network');
    if (network !== undefined && !['host', 'none', 'default'].includes(network)) throw new UsageError(`network mode "${network}" not supported by buildkit`);
    for (const e of flagStrings(ctx, 'allow')) if (e !== 'network.host' && e !== 'security.insecure') throw new UsageError(`invalid entitlement: ${e}`);
    // `json` is Strata's own event stream (stdout), for scripts; the others are BuildKit's displays.
    const printer = quiet ? undefined : progress === 'json' ? { onEvent: (e: BuildEvent) => ctx.stdout.write(`${JSON.stringify(e)}\n`), close: () => {} } : progressPrinter(progress as ProgressMode, ctx.stderr);
    // BuildKit's displays end a failed build with the failed step's block (Strata's json stream does not).
    const failedStep = printer && progress !== 'json' && progress !== 'rawjson' ? failedStepBlock({ withLogs: progress === 'tty' || (progress === 'auto' && (ctx.stderr as { isTTY?: boolean }).isTTY === true) }) : undefined;
    const onEvent = printer && failedStep ? (e: BuildEvent) => { printer.onEvent(e); failedStep.onEvent(e); } : printer?.onEvent;
    try {
      const res = await build(ctx.engine(), {
        context: ctx.args[0]!,
        ...(flagString(ctx, 'file') ? { dockerfile: flagString(ctx, 'file')! } : {}),
        tags: flagStrings(ctx, 'tag'),
        buildArgs: parseBuildArgs(flagStrings(ctx, 'build-arg')),
        ...(flagString(ctx, 'target') ? { target: flagString(ctx, 'target')! } : {}),
        noCache: flagBool(ctx, 'no-cache'),
        pull: flagBool(ctx, 'pull'),
        ...(network ? { network: network as 'host' | 'none' | 'default' } : {}),
        allow: flagStrings(ctx, 'allow'),
        signal: ctx.signal,
        ...(onEvent ? { onEvent } : {}),
      });
      printer?.close();
      if (quiet) ctx.stdout.write(`${res.imageId}\n`);
      return 0;
    } catch (err) {
      printer?.close();
      if (!(err instanceof BuildError)) throw err;
      ctx.stderr.write(failedStep?.block() ?? '');
      return reportError(ctx.stderr, err, 'build');
    }
  },
};

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
    // Loaded here: `build` itself, in the same module, needs neither the sweep nor the advisor.
    const { sweepInterruptedBuilds } = await import('../../engine/build/leftovers.ts');
    sweepInterruptedBuilds(engine);
    const removed = new BuildCache(engine.db, engine.events).prune(all);
    await engine.gc.collect();
    if (removed.keys.length > 0) {
      ctx.stdout.write('Deleted build cache objects:\n');
      for (const k of removed.keys) ctx.stdout.write(`${k.replace(/^sha256:/, '').slice(0, 25)}\n`);
      ctx.stdout.write('\n');
    }
    // BuildKit reports the removed records' sizes; the blob bytes gc unlinked are not docker's figure.
    ctx.stdout.write(`Total:\t${humanSize(removed.size)}\n`);
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
        for (const s of steps) ctx.stdout.write(`  ${(s.n > 0 ? `#${s.n}` : '').padEnd(4)}${s.instruction}  ${s.cached ? 'CACHED' : s.reason}\n`);
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
    const { adviseOrder } = await import('../../engine/build/advisor.ts');
    const advice = adviseOrder(ctx.engine(), { context: c.dir, dockerfile: c.dockerfile });
    if (advice.suggestions.length === 0) {
      ctx.stdout.write(`No reordering suggested (${advice.builds} recorded build${advice.builds === 1 ? '' : 's'} analysed).\n`);
      return;
    }
    for (const s of advice.suggestions) ctx.stdout.write(`${s.message}\n`);
  },
};
