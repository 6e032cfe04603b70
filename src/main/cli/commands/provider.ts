/**
 * docker's verbs against a Provider (an engine chosen with `-H`/`--context`): each one asks the
 * provider in the Engine API's vocabulary and prints through the same formatters as the Strata store,
 * so `strata -H unix://SOCK images` prints what `docker -H unix://SOCK images` prints. A command not
 * listed here refuses clearly against an Engine API provider.
 */
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { CommandContext } from '../command.ts';
import { flagBool, flagString, flagStrings } from '../command.ts';
import { UsageError } from '../args.ts';
import type { Provider } from '../../providers/provider.ts';
import { parseFilters } from '../../engine/image/list.ts';
import { parseReference } from '../../engine/image/reference.ts';
import { StrataError } from '../../../shared/errors.ts';
import { ALL_WARNING, ambiguousHint, DANGLING_WARNING, formatDiskUsage, formatHistory, formatImageList } from '../image-format.ts';
import { compile, renderRows } from '../formatter.ts';
import { humanSize4 } from '../units.ts';
import { containerRow, toDiskUsageReport, toHistoryEntry, toImageSummary } from '../provider-shapes.ts';
import { readLine } from '../prompt.ts';
import { daemonMessage, notFoundMessage } from '../provider-errors.ts';

export type ProviderRun = (ctx: CommandContext, provider: Provider) => Promise<number | void>;

export { daemonMessage };

async function images(ctx: CommandContext, p: Provider, calledAsImages: boolean): Promise<number> {
  const matchName = ctx.args[0];
  const filters = parseFilters(flagStrings(ctx, 'filter'));
  if (matchName) (filters.reference ??= []).push(matchName);
  if (flagBool(ctx, 'tree')) throw new UsageError('--tree is not supported against an Engine API provider yet');
  const list = (await p.listImages({ all: flagBool(ctx, 'all'), filters })).map(toImageSummary);
  const format = flagString(ctx, 'format');
  // The API's order and docker 20.10's table: dangling images are the engine's to show or hide.
  ctx.stdout.write(formatImageList(list, {
    ...(format !== undefined ? { format } : {}), quiet: flagBool(ctx, 'quiet'), noTrunc: flagBool(ctx, 'no-trunc'),
    digests: flagBool(ctx, 'digests'), now: Date.now(),
  }));
  if (calledAsImages && matchName && list.length === 0) {
    const hint = ambiguousHint(matchName, 'strata');
    if (hint) ctx.stderr.write(`\n${hint}`);
  }
  return 0;
}

async function history(ctx: CommandContext, p: Provider): Promise<void> {
  const entries = (await p.imageHistory(ctx.args[0]!)).map(toHistoryEntry);
  const format = flagString(ctx, 'format');
  ctx.stdout.write(formatHistory(entries, {
    ...(format !== undefined ? { format } : {}), quiet: flagBool(ctx, 'quiet'), human: ctx.flags.human !== false, noTrunc: flagBool(ctx, 'no-trunc'), now: Date.now(),
  }));
}

/** docker's inspect output: the engine's objects indented, or a template per object. */
function printInspected(ctx: CommandContext, found: Record<string, unknown>[]): void {
  const format = flagString(ctx, 'format');
  // The engine's JSON indented as it came: docker prints <, > and & unescaped.
  if (format === undefined || format === '' || format === 'json') {
    ctx.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
    return;
  }
  const tmpl = compile(format);
  for (const obj of found) ctx.stdout.write(`${tmpl.execute(obj)}\n`);
}

async function inspect(ctx: CommandContext, p: Provider): Promise<number> {
  const found: Record<string, unknown>[] = [];
  const errors: string[] = [];
  for (const name of ctx.args) {
    try {
      found.push(await p.inspectImage(name));
    } catch (err) {
      if (!(err instanceof StrataError && err.code === 'not-found')) throw err;
      errors.push(`Error: No such image: ${name}`);
    }
  }
  printInspected(ctx, found);
  for (const e of errors) ctx.stderr.write(`${e}\n`);
  return errors.length > 0 ? 1 : 0;
}

async function tag(ctx: CommandContext, p: Provider): Promise<void> {
  const target = ctx.args[1]!;
  try {
    parseReference(target);
  } catch (err) {
    throw new UsageError(`Error parsing reference: ${JSON.stringify(target)} is not a valid repository/tag: ${(err as Error).message}`);
  }
  await p.tagImage(ctx.args[0]!, target);
}

async function rmi(ctx: CommandContext, p: Provider): Promise<number> {
  const errors: string[] = [];
  for (const name of ctx.args) {
    try {
      for (const d of await p.removeImage(name, { force: flagBool(ctx, 'force'), noPrune: flagBool(ctx, 'no-prune') })) {
        ctx.stdout.write(d.Deleted ? `Deleted: ${d.Deleted}\n` : `Untagged: ${d.Untagged}\n`);
      }
    } catch (err) {
      errors.push(notFoundMessage(err, 'image', name));
    }
  }
  for (const e of errors) ctx.stderr.write(`${e}\n`);
  return errors.length > 0 ? 1 : 0;
}

async function imagePrune(ctx: CommandContext, p: Provider): Promise<number> {
  const all = flagBool(ctx, 'all');
  if (!flagBool(ctx, 'force')) {
    ctx.stdout.write(`${all ? ALL_WARNING : DANGLING_WARNING} [y/N] `);
    const answer = (await readLine(ctx.stdin)).trim();
    // docker says how much a refused prune reclaimed: nothing
    if (answer !== 'y' && answer !== 'Y') {
      ctx.stdout.write(`Total reclaimed space: ${humanSize4(0)}\n`);
      return 0;
    }
  }
  const filters = parseFilters(flagStrings(ctx, 'filter'));
  filters.dangling = [String(!all)];
  const report = await p.pruneImages(filters);
  const deleted = report.ImagesDeleted ?? [];
  if (deleted.length > 0) {
    ctx.stdout.write('Deleted Images:\n');
    for (const d of deleted) ctx.stdout.write(d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`);
    ctx.stdout.write('\n');
  }
  ctx.stdout.write(`Total reclaimed space: ${humanSize4(deleted.length > 0 ? report.SpaceReclaimed : 0)}\n`);
  return 0;
}

async function save(ctx: CommandContext, p: Provider): Promise<void> {
  const format = flagString(ctx, 'format');
  if (format !== undefined && format !== 'docker-archive' && format !== 'docker') {
    throw new StrataError('unsupported', `--format ${format} is not supported against an Engine API provider yet (the engine writes docker-archive)`);
  }
  const output = flagString(ctx, 'output');
  if (output === undefined && ctx.stdout.isTTY) throw new StrataError('invalid', 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
  const archive = await p.saveImages(ctx.args, ctx.signal);
  if (output === undefined) {
    await pipeline(archive, ctx.stdout, { end: false, signal: ctx.signal });
    return;
  }
  // Beside the target, renamed into place: a failed save leaves no partial file.
  const tmp = `${output}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await pipeline(archive, createWriteStream(tmp), { signal: ctx.signal });
    renameSync(tmp, output);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

async function load(ctx: CommandContext, p: Provider): Promise<void> {
  const input = flagString(ctx, 'input');
  if (input === undefined && ctx.stdin.isTTY) throw new StrataError('invalid', 'requested load from stdin, but stdin is empty');
  const archive = input !== undefined ? createReadStream(input) : ctx.stdin;
  // docker asks for the quiet stream when its output is not a terminal.
  const quiet = flagBool(ctx, 'quiet') || !ctx.stdout.isTTY;
  for await (const m of p.loadImages(archive, { quiet, signal: ctx.signal })) {
    if (m.error || m.errorDetail) throw new StrataError('invalid', m.errorDetail?.message ?? m.error ?? 'load failed', { details: { status: 500 } });
    if (m.stream !== undefined) ctx.stdout.write(m.stream);
    else if (m.status !== undefined) ctx.stdout.write(`${m.id ? `${m.id}: ` : ''}${m.status}${m.progress ? ` ${m.progress}` : ''}\n`);
  }
}

async function systemDf(ctx: CommandContext, p: Provider): Promise<void> {
  const df = await p.systemDf();
  const format = flagString(ctx, 'format');
  if (format === 'json') {
    ctx.stdout.write(`${JSON.stringify(toDiskUsageReport(df))}\n`);
    return;
  }
  ctx.stdout.write(formatDiskUsage(toDiskUsageReport(df), { ...(format !== undefined ? { format } : {}), verbose: flagBool(ctx, 'verbose'), imageSizeField: 'VirtualSize', now: Date.now() }));
}

async function ps(ctx: CommandContext, p: Provider): Promise<void> {
  const filters = parseFilters(flagStrings(ctx, 'filter'));
  const last = flagBool(ctx, 'latest') ? 1 : Number(flagString(ctx, 'last') ?? '-1');
  const size = flagBool(ctx, 'size');
  const format = flagString(ctx, 'format') ?? `table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}${size ? '\t{{.Size}}' : ''}`;
  const list = await p.listContainers({ all: flagBool(ctx, 'all'), filters, size: size || format.includes('.Size'), ...(last > 0 ? { limit: last } : {}) });
  const now = Date.now();
  const rows = list.map((c) => containerRow(c, now, !flagBool(ctx, 'no-trunc')));
  // Loaded here: container-format brings the store's container service, which no other verb here needs.
  const { PS_HEADER } = await import('../container-format.ts');
  ctx.stdout.write(renderRows(flagBool(ctx, 'quiet') ? '{{.ID}}' : format, rows, PS_HEADER));
}

async function logs(ctx: CommandContext, p: Provider): Promise<void> {
  const tail = flagString(ctx, 'tail');
  const name = ctx.args[0]!;
  try {
    for await (const chunk of p.containerLogs(name, {
      follow: flagBool(ctx, 'follow'), timestamps: flagBool(ctx, 'timestamps'), signal: ctx.signal, ...(tail !== undefined ? { tail } : {}),
    })) {
      (chunk.stream === 'stderr' ? ctx.stderr : ctx.stdout).write(chunk.data);
    }
  } catch (err) {
    // docker looks the container up first, and names it as the user wrote it
    if (err instanceof StrataError && err.code === 'not-found') throw new StrataError('not-found', `No such container: ${name}`, { cause: err });
    throw err;
  }
}

const CHANGE_KIND = ['C', 'A', 'D'] as const;

async function diff(ctx: CommandContext, p: Provider): Promise<void> {
  for (const c of await p.containerChanges(ctx.args[0]!)) ctx.stdout.write(`${CHANGE_KIND[c.Kind]} ${c.Path}\n`);
}

async function commit(ctx: CommandContext, p: Provider): Promise<void> {
  let repo: string | undefined;
  let tagName: string | undefined;
  if (ctx.args[1]) {
    const ref = ctx.args[1];
    const slash = ref.lastIndexOf('/');
    const colon = ref.lastIndexOf(':');
    [repo, tagName] = colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, undefined];
  }
  const message = flagString(ctx, 'message');
  const author = flagString(ctx, 'author');
  const res = await p.commitContainer(ctx.args[0]!, {
    ...(repo ? { repo } : {}), ...(tagName ? { tag: tagName } : {}), ...(message !== undefined ? { comment: message } : {}),
    ...(author !== undefined ? { author } : {}), pause: ctx.flags.pause !== false, changes: flagStrings(ctx, 'change'),
  });
  ctx.stdout.write(`${res.Id}\n`);
}

async function rm(ctx: CommandContext, p: Provider): Promise<number> {
  const errors: string[] = [];
  for (const name of ctx.args) {
    try {
      await p.removeContainer(name, { force: flagBool(ctx, 'force') });
      ctx.stdout.write(`${name}\n`);
    } catch (err) {
      errors.push(notFoundMessage(err, 'container', name));
    }
  }
  for (const e of errors) ctx.stderr.write(`${e}\n`);
  return errors.length > 0 ? 1 : 0;
}

/** The commands routed through a provider, by their path (`image prune`). */
export const PROVIDER_COMMANDS: Record<string, ProviderRun> = {
  images: (ctx, p) => images(ctx, p, true), 'image ls': (ctx, p) => images(ctx, p, false), history, inspect, 'image inspect': inspect, tag, rmi, 'image prune': imagePrune, save, load, 'system df': systemDf,
  ps, logs, diff, commit, rm,
  // loaded on use: a listing must not pay for the context walker, the credentials or the attach code
  ...onUse(() => import('./provider-transfer.ts').then((m) => m.TRANSFER_COMMANDS), ['pull', 'push', 'build']),
  ...onUse(() => import('./provider-containers.ts').then((m) => m.CONTAINER_PROVIDER_COMMANDS), ['run', 'exec', 'start', 'stop', 'restart']),
};

function onUse(load: () => Promise<Record<string, ProviderRun>>, names: string[]): Record<string, ProviderRun> {
  return Object.fromEntries(names.map((name) => [name, async (ctx: CommandContext, p: Provider) => (await load())[name]!(ctx, p)]));
}
