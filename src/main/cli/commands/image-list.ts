/**
 * `strata images` / `strata image ls`: on their own so that listing loads only the listing's code
 * (the other image verbs, and through them the container service, stay in images.ts).
 */
import type { Command, CommandContext } from '../command.ts';
import { flagBool, flagString, flagStrings } from '../command.ts';
import type { FlagSpec } from '../args.ts';
import { listImages, parseFilters } from '../../engine/image/list.ts';
import { ambiguousHint, formatImagesCommand } from '../image-format.ts';

const LIST_FLAGS: FlagSpec[] = [
  { name: 'all', short: 'a', type: 'bool', description: 'Show all images (default hides intermediate and dangling images)' },
  { name: 'digests', type: 'bool', description: 'Show digests' },
  { name: 'filter', short: 'f', type: 'strings', value: 'filter', description: 'Filter output based on conditions provided' },
  { name: 'format', type: 'string', description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'" },
  { name: 'no-trunc', type: 'bool', description: "Don't truncate output" },
  { name: 'quiet', short: 'q', type: 'bool', description: 'Only show image IDs' },
  { name: 'tree', type: 'bool', description: "docker 29's compact view (IMAGE, ID, DISK USAGE, CONTENT SIZE, EXTRA)" },
];

async function runImages(ctx: CommandContext, calledAsImages: boolean): Promise<number> {
  const matchName = ctx.args[0];
  const filters = parseFilters(flagStrings(ctx, 'filter'));
  if (matchName) (filters.reference ??= []).push(matchName);
  const all = flagBool(ctx, 'all');
  const engine = ctx.engine();
  const tree = flagBool(ctx, 'tree');
  const images = listImages(engine, { all, filters, contentSize: tree });
  // The tree view marks images in use (EXTRA "U"); the table never shows containers.
  if (tree) for (const img of images) img.containers = engine.images.usersOf(img.id).length;
  const format = flagString(ctx, 'format');
  const out = formatImagesCommand(images, {
    all,
    filters,
    ...(format !== undefined ? { format } : {}),
    quiet: flagBool(ctx, 'quiet'),
    noTrunc: flagBool(ctx, 'no-trunc'),
    digests: flagBool(ctx, 'digests'),
    tree,
    ...(ctx.stdout.columns ? { width: ctx.stdout.columns } : {}),
    now: Date.now(),
  });
  ctx.stdout.write(out);
  if (calledAsImages && matchName && images.length === 0) {
    const hint = ambiguousHint(matchName, 'strata');
    if (hint) ctx.stderr.write(`\n${hint}`);
  }
  return 0;
}

export const imagesCommand: Command = {
  path: ['images'],
  usage: 'strata images [OPTIONS] [REPOSITORY[:TAG]]',
  description: 'List images',
  flags: LIST_FLAGS,
  maxArgs: 1,
  run: (ctx) => runImages(ctx, true),
};

export const imageLsCommand: Command = {
  path: ['image', 'ls'],
  aliases: [['image', 'list']],
  usage: 'strata image ls [OPTIONS] [REPOSITORY[:TAG]]',
  description: 'List images',
  flags: LIST_FLAGS,
  maxArgs: 1,
  run: (ctx) => runImages(ctx, false),
};
