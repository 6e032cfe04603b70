import type { Command, CommandContext } from '../command.ts';
import { flagBool, flagString, flagStrings } from '../command.ts';
import { UsageError } from '../args.ts';
import type { Engine } from '../../engine/engine.ts';
import { NoSuchContainerError } from '../../engine/container/container-service.ts';
import { inspectContainer } from '../container-format.ts';
import { parseFilters } from '../../engine/image/list.ts';
import { imageHistory } from '../../engine/image/history.ts';
import { inspectImage } from '../../engine/image/inspect.ts';
import { pruneImages, removeImage } from '../../engine/image/prune.ts';
import { ImageNotFoundError, type ImageDeleteItem } from '../../engine/image/image-service.ts';
import { ALL_WARNING, DANGLING_WARNING, formatHistory, formatLayers } from '../image-format.ts';
import { layerSummaries } from '../../engine/image/layers.ts';
import { compile } from '../formatter.ts';
import { goEscape } from '../template.ts';
import { parseReference } from '../../engine/image/reference.ts';
import { humanSize4 } from '../units.ts';
import { StrataError } from '../../../shared/errors.ts';
import { reportError } from '../errors.ts';
import { confirm } from '../prompt.ts';

export const historyCommand: Command = {
  path: ['history'],
  aliases: [['image', 'history']],
  usage: 'strata history [OPTIONS] IMAGE',
  description: 'Show the history of an image',
  flags: [
    { name: 'format', type: 'string', description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'" },
    { name: 'human', short: 'H', type: 'bool', description: 'Print sizes and dates in human readable format (default true)' },
    { name: 'no-trunc', type: 'bool', description: "Don't truncate output" },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Only show image IDs' },
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const entries = imageHistory(ctx.engine(), ctx.args[0]!);
    const format = flagString(ctx, 'format');
    ctx.stdout.write(
      formatHistory(entries, {
        ...(format !== undefined ? { format } : {}),
        quiet: flagBool(ctx, 'quiet'),
        human: ctx.flags.human !== false,
        noTrunc: flagBool(ctx, 'no-trunc'),
        now: Date.now(),
      }),
    );
  },
};

export const imageLayersCommand: Command = {
  path: ['image', 'layers'],
  usage: 'strata image layers [OPTIONS] IMAGE',
  description: 'Show the layers of an image: size, the step that made each, files added/modified/deleted, and bytes later layers hide',
  flags: [
    { name: 'format', type: 'string', description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'" },
    { name: 'no-trunc', type: 'bool', description: "Don't truncate output" },
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const engine = ctx.engine();
    const layers = layerSummaries(engine, engine.images.resolve(ctx.args[0]!));
    const format = flagString(ctx, 'format');
    ctx.stdout.write(formatLayers(layers, { ...(format !== undefined ? { format } : {}), noTrunc: flagBool(ctx, 'no-trunc'), now: Date.now() }));
  },
};

/** One object of `inspect`: a container (docker tries those first) or an image, by `--type`. */
function inspectObject(engine: Engine, name: string, type: string | undefined): Record<string, unknown> | undefined {
  if (type !== 'image') {
    try {
      return inspectContainer(engine, name);
    } catch (err) {
      if (!(err instanceof NoSuchContainerError)) throw err;
    }
  }
  if (type === 'container') return undefined;
  try {
    return inspectImage(engine, name) as unknown as Record<string, unknown>;
  } catch (err) {
    if (!(err instanceof ImageNotFoundError)) throw err;
    return undefined;
  }
}

export const inspectCommand: Command = {
  path: ['inspect'],
  usage: 'strata inspect [OPTIONS] NAME|ID [NAME|ID...]',
  description: 'Return low-level information on Strata objects',
  flags: [
    { name: 'format', short: 'f', type: 'string', description: "Format output using a custom template: 'json', 'TEMPLATE'" },
    { name: 'type', type: 'string', description: 'Return JSON for specified type ("container" or "image")' },
  ],
  minArgs: 1,
  async run(ctx) {
    const type = flagString(ctx, 'type');
    if (type !== undefined && type !== 'container' && type !== 'image') throw new UsageError(`"${type}" is not a valid value for --type`);
    return printInspected(ctx, ctx.args.map((name) => inspectObject(ctx.engine(), name, type ?? undefined)), type === 'image' ? 'image' : type === 'container' ? 'container' : 'object');
  },
};

export const imageInspectCommand: Command = {
  path: ['image', 'inspect'],
  usage: 'strata image inspect [OPTIONS] IMAGE [IMAGE...]',
  description: 'Display detailed information on one or more images',
  flags: [{ name: 'format', short: 'f', type: 'string', description: "Format output using a custom template: 'json', 'TEMPLATE'" }],
  minArgs: 1,
  async run(ctx) {
    return printInspected(ctx, ctx.args.map((name) => inspectObject(ctx.engine(), name, 'image')), 'image');
  },
};

/** docker's inspect output: the objects found (JSON or a template each), then `No such …` for the rest. */
export function printInspected(ctx: CommandContext, objects: (object | undefined)[], kind: 'image' | 'container' | 'object'): number {
  const found = objects.filter((o) => o !== undefined);
  const format = flagString(ctx, 'format');
  if (format === undefined || format === '' || format === 'json') {
    ctx.stdout.write(`${goEscape(JSON.stringify(found, null, 4))}\n`);
  } else {
    const tmpl = compile(format);
    for (const obj of found) ctx.stdout.write(`${tmpl.execute(obj)}\n`);
  }
  objects.forEach((o, i) => {
    if (o === undefined) ctx.stderr.write(`Error: No such ${kind}: ${ctx.args[i]}\n`);
  });
  return found.length < objects.length ? 1 : 0;
}

export const tagCommand: Command = {
  path: ['tag'],
  aliases: [['image', 'tag']],
  usage: 'strata tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  flags: [],
  minArgs: 2,
  maxArgs: 2,
  async run(ctx) {
    const target = ctx.args[1]!;
    try {
      parseReference(target);
    } catch (err) {
      // moby's client wording for a bad target
      throw new StrataError('invalid', `error parsing reference: ${JSON.stringify(target)} is not a valid repository/tag: ${(err as Error).message}`);
    }
    ctx.engine().images.tag(ctx.args[0]!, target);
  },
};

function printDeleteItems(ctx: CommandContext, items: ImageDeleteItem[], prefix: { untagged: string; deleted: string }): void {
  for (const i of items) ctx.stdout.write(i.deleted ? `${prefix.deleted}${i.deleted}\n` : `${prefix.untagged}${i.untagged}\n`);
}

export const rmiCommand: Command = {
  path: ['rmi'],
  aliases: [['image', 'rm'], ['image', 'remove']],
  usage: 'strata rmi [OPTIONS] IMAGE [IMAGE...]',
  description: 'Remove one or more images',
  flags: [
    { name: 'force', short: 'f', type: 'bool', description: 'Force removal of the image' },
    { name: 'no-prune', type: 'bool', description: 'Do not delete untagged parents' },
  ],
  minArgs: 1,
  async run(ctx) {
    const engine = ctx.engine();
    const force = flagBool(ctx, 'force');
    const errors: Error[] = [];
    let fatal = false;
    let deletedAny = false;
    for (const name of ctx.args) {
      try {
        const items = removeImage(engine, name, { force, noPrune: flagBool(ctx, 'no-prune') });
        deletedAny ||= items.some((i) => i.deleted);
        printDeleteItems(ctx, items, { untagged: 'Untagged: ', deleted: 'Deleted: ' });
      } catch (err) {
        if (!(err instanceof ImageNotFoundError)) fatal = true;
        errors.push(err as Error);
      }
    }
    // A layer goes only when nothing references it any more.
    if (deletedAny) await engine.gc.collect();
    // docker's client words a missing image itself, as typed (`Error: No such image: x`).
    for (const e of errors) {
      if (e instanceof ImageNotFoundError) ctx.stderr.write(`Error: No such image: ${e.input}\n`);
      else reportError(ctx.stderr, e);
    }
    return errors.length > 0 && (!force || fatal) ? 1 : 0;
  },
};

export const imagePruneCommand: Command = {
  path: ['image', 'prune'],
  usage: 'strata image prune [OPTIONS]',
  description: 'Remove unused images',
  flags: [
    { name: 'all', short: 'a', type: 'bool', description: 'Remove all unused images, not just dangling ones' },
    { name: 'filter', type: 'strings', value: 'filter', description: 'Provide filter values (e.g. "until=<timestamp>", "label=k=v")' },
    { name: 'force', short: 'f', type: 'bool', description: 'Do not prompt for confirmation' },
  ],
  maxArgs: 0,
  async run(ctx) {
    const all = flagBool(ctx, 'all');
    if (!flagBool(ctx, 'force')) {
      if (!(await confirm(ctx, all ? ALL_WARNING : DANGLING_WARNING))) {
        ctx.stderr.write('image prune has been cancelled\n');
        return 0;
      }
    }
    const result = await pruneImages(ctx.engine(), { all, filters: parseFilters(flagStrings(ctx, 'filter')) });
    if (result.deleted.length > 0) {
      ctx.stdout.write('Deleted Images:\n');
      printDeleteItems(ctx, result.deleted, { untagged: 'untagged: ', deleted: 'deleted: ' });
      ctx.stdout.write('\n');
    }
    ctx.stdout.write(`Total reclaimed space: ${humanSize4(result.spaceReclaimed)}\n`);
    return 0;
  },
};
