import { createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Command, CommandContext } from '../command.ts';
import { flagBool, flagString, flagStrings } from '../command.ts';
import { UsageError } from '../args.ts';
import { humanSize } from '../units.ts';
import type { ProgressEvent } from '../../engine/api.ts';
import { loadImages } from '../../engine/archive/load.ts';
import { saveImages, saveOciDirectory, selectImages, type SaveFormat } from '../../engine/archive/save.ts';
import { importImage } from '../../engine/archive/import.ts';
import { StrataError } from '../../../shared/errors.ts';

/** docker's progress bar (jsonmessage): `[=====>      ]  1.2MB/5.6MB`, 50 columns plus the head. */
export function progressBar(current: number, total: number): string {
  const width = 50;
  const filled = total > 0 ? Math.min(width, Math.floor((current / total) * width)) : 0;
  return `[${'='.repeat(filled)}>${' '.repeat(width - filled)}] ${`${humanSize(current)}`.padStart(8)}/${humanSize(total)}`;
}

/** Progress on a terminal only (docker prints none when output is redirected): one line per layer. */
function progressPrinter(ctx: CommandContext, quiet: boolean): { sink: (e: ProgressEvent) => void; end: () => void } | undefined {
  if (quiet || !ctx.stdout.isTTY) return undefined;
  let line: string | undefined;
  return {
    sink(e) {
      if (line !== undefined && line !== e.id) ctx.stdout.write('\n');
      line = e.id;
      const amount = e.total ? ` ${progressBar(e.current ?? 0, e.total)}` : '';
      ctx.stdout.write(`\r\x1b[2K${e.id ? `${e.id}: ` : ''}${e.status}${amount}`);
    },
    end() {
      if (line !== undefined) ctx.stdout.write('\n');
    },
  };
}

export const loadCommand: Command = {
  path: ['load'],
  aliases: [['image', 'load']],
  usage: 'strata load [OPTIONS]',
  description: 'Load an image from a tar archive or STDIN (docker save archives, OCI layouts)',
  flags: [
    { name: 'input', short: 'i', type: 'string', value: 'string', description: 'Read from tar archive file or OCI layout directory, instead of STDIN' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress the load output' },
  ],
  maxArgs: 0,
  async run(ctx) {
    const input = flagString(ctx, 'input');
    if (input === undefined && ctx.stdin.isTTY) throw new StrataError('invalid', 'requested load from stdin, but stdin is empty');
    const quiet = flagBool(ctx, 'quiet');
    const progress = progressPrinter(ctx, quiet);
    // Unpacked in the background, as docker's load unpacks: the first RUN then finds the base
    // made. The preparer starts now and waits for the images, so its own start-up overlaps the load.
    const { startPreparer } = await import('../../engine/snapshot/prepare.ts');
    const preparer = startPreparer(ctx.engine());
    try {
      const result = await loadImages(ctx.engine(), input !== undefined ? { path: input } : { stream: ctx.stdin }, {
        signal: ctx.signal,
        ...(progress ? { onProgress: progress.sink } : {}),
      });
      progress?.end();
      preparer?.prepare(result.images.map((i) => i.id));
      for (const note of result.notes) ctx.stdout.write(`${note}\n`);
      for (const img of result.images) {
        if (img.repoTags.length === 0) ctx.stdout.write(`Loaded image ID: ${img.id}\n`);
        for (const t of img.repoTags) ctx.stdout.write(`Loaded image: ${t}\n`);
      }
    } finally {
      preparer?.cancel();
    }
  },
};

const FORMATS: Record<string, SaveFormat | 'oci-archive' | 'oci-dir'> = {
  'docker-archive': 'docker-archive', docker: 'docker-archive', oci: 'oci', 'oci-archive': 'oci-archive', 'oci-dir': 'oci-dir',
};

export const saveCommand: Command = {
  path: ['save'],
  aliases: [['image', 'save']],
  usage: 'strata save [OPTIONS] IMAGE [IMAGE...]',
  description: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  flags: [
    { name: 'output', short: 'o', type: 'string', value: 'string', description: 'Write to a file (or, for an OCI layout, a directory), instead of STDOUT' },
    {
      name: 'format', type: 'string', value: 'string',
      description: 'docker-archive (default; read by docker, podman, skopeo), oci (OCI image layout: a directory when --output is one or ends in "/", else a tar), oci-archive, oci-dir',
    },
  ],
  minArgs: 1,
  async run(ctx) {
    const formatName = flagString(ctx, 'format') ?? 'docker-archive';
    let format = FORMATS[formatName];
    if (!format) throw new UsageError(`invalid --format "${formatName}": use docker-archive, oci, oci-archive or oci-dir`);
    const output = flagString(ctx, 'output');
    if (format === 'oci' && output !== undefined) {
      format = output.endsWith('/') || (existsSync(output) && statSync(output).isDirectory()) ? 'oci-dir' : 'oci-archive';
    }
    const engine = ctx.engine();
    const selection = selectImages(engine, ctx.args);
    const saveFormat: SaveFormat = format === 'docker-archive' ? 'docker-archive' : 'oci';
    if (format === 'oci-dir') {
      if (output === undefined) throw new UsageError('--format oci-dir needs --output DIR');
      await saveOciDirectory(engine, selection, output, { signal: ctx.signal });
      return;
    }
    if (output === undefined) {
      if (ctx.stdout.isTTY) throw new StrataError('invalid', 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
      await saveImages(engine, selection, ctx.stdout, { format: saveFormat, signal: ctx.signal, end: false });
      return;
    }
    // Written beside the target and renamed into place: a failed save leaves no partial file.
    const tmp = `${output}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await saveImages(engine, selection, createWriteStream(tmp), { format: saveFormat, signal: ctx.signal });
      renameSync(tmp, output);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  },
};

export const importCommand: Command = {
  path: ['import'],
  aliases: [['image', 'import']],
  usage: 'strata import [OPTIONS] file|DIR|- [REPOSITORY[:TAG]]',
  description: 'Import the contents from a tarball (or a directory) to create a filesystem image',
  flags: [
    { name: 'change', short: 'c', type: 'strings', value: 'list', description: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', type: 'string', value: 'string', description: 'Set commit message for imported image' },
    { name: 'platform', type: 'string', value: 'string', description: 'Set platform (os/arch[/variant]) of the imported image' },
  ],
  minArgs: 1,
  maxArgs: 2,
  async run(ctx) {
    const [source, reference] = ctx.args as [string, string | undefined];
    const message = flagString(ctx, 'message');
    const platform = flagString(ctx, 'platform');
    const record = await importImage(ctx.engine(), source === '-' ? { stream: ctx.stdin } : { path: source }, {
      changes: flagStrings(ctx, 'change'),
      ...(reference !== undefined ? { reference } : {}),
      ...(message !== undefined ? { message } : {}),
      ...(platform !== undefined ? { platform } : {}),
    });
    ctx.stdout.write(`${record.id}\n`);
    const { prepareInBackground } = await import('../../engine/snapshot/prepare.ts');
    prepareInBackground(ctx.engine(), [record.id]);
  },
};
