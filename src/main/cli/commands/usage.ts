import type { Command } from '../command.ts';
import { flagBool, flagString } from '../command.ts';
import { diskUsage } from '../../engine/usage/disk-usage.ts';
import { formatDiskUsage, formatStoreDisk } from '../image-format.ts';
import { storeDiskUsage } from '../../engine/usage/store-disk.ts';

export const systemDfCommand: Command = {
  path: ['system', 'df'],
  usage: 'strata system df [OPTIONS]',
  description: 'Show disk usage: each layer counted once',
  flags: [
    {
      name: 'format',
      type: 'string',
      description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json' (one object per row, as docker), 'TEMPLATE'",
    },
    { name: 'report', type: 'bool', description: "Print Strata's structured report as JSON (api.ts DiskUsageReport; with -v also what the store occupies on disk)" },
    { name: 'verbose', short: 'v', type: 'bool', description: 'Show detailed information on space usage' },
  ],
  maxArgs: 0,
  async run(ctx) {
    const engine = ctx.engine();
    const report = diskUsage(engine);
    const format = flagString(ctx, 'format');
    const verbose = flagBool(ctx, 'verbose');
    if (flagBool(ctx, 'report')) {
      // The UI's data: summary rows plus every image with its shared and unique bytes; with -v also
      // what the store occupies on disk, as one more field beside docker's.
      ctx.stdout.write(`${JSON.stringify(verbose ? { ...report, disk: await storeDiskUsage(engine) } : report)}\n`);
      return;
    }
    // docker's `--format json` is `{{json .}}`: one object per row (with -v, one object of the four lists).
    const template = format === 'json' ? '{{json .}}' : format;
    ctx.stdout.write(formatDiskUsage(report, { ...(template !== undefined ? { format: template } : {}), verbose, now: Date.now() }));
    // After docker's tables, only in its default table layout (a template asked for is docker's alone).
    if (verbose && format === undefined) ctx.stdout.write(formatStoreDisk(await storeDiskUsage(engine)));
  },
};
