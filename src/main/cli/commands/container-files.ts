/** `commit`, `export` and `cp`: a container's filesystem into an image, a tar, or the host (and back). */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Command } from '../command.ts';
import { flagString, flagStrings } from '../command.ts';
import { UsageError } from '../args.ts';
import { commitContainer } from '../../engine/container/commit.ts';
import { exportRootfs } from '../../engine/container/export.ts';
import { archiveOut, copyIn, copyOut, extractIn } from '../../engine/container/copy.ts';
import { humanSize } from '../units.ts';
import { StrataError } from '../../../shared/errors.ts';

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
      throw new StrataError('invalid', 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const view = await ctx.engine().containers.rootfs(ctx.args[0]!);
    await pipeline(exportRootfs(view), out ? createWriteStream(out) : ctx.stdout);
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
  usage: 'strata cp CONTAINER:SRC_PATH DEST_PATH|-\n        strata cp SRC_PATH|- CONTAINER:DEST_PATH',
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
      const view = await engine.containers.rootfs(from.container);
      // `-` streams a tar of SRC to stdout, as docker does; nothing else goes there.
      if (b === '-') return void (await pipeline(archiveOut(view, from.path), ctx.stdout, { end: false }));
      const bytes = await copyOut(view, from.path, b);
      ctx.stderr.write(`Successfully copied ${humanSize(bytes)} to ${b}\n`);
    } else {
      const view = await engine.containers.rootfs(to!.container);
      const bytes = a === '-' ? await extractIn(view, ctx.stdin, to!.path, to!.container) : copyIn(view, a, to!.path);
      ctx.stderr.write(`Successfully copied ${humanSize(bytes)} to ${b}\n`);
    }
  },
};
