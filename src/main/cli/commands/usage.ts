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
      description: "'json' prints the structured report (api.ts DiskUsageReport); 'table', 'table TEMPLATE', 'raw' or 'TEMPLATE' format like docker",
    },
    { name: 'verbose', short: 'v', type: 'bool', description: 'Show detailed information on space usage' },
  ],
  maxArgs: 0,
  async run(ctx) {
    const engine = ctx.engine();
    const report = diskUsage(engine);
    const format = flagString(ctx, 'format');
    const verbose = flagBool(ctx, 'verbose');
    if (format === 'json') {
      // The UI's data: summary rows plus every image with its shared and unique bytes; with -v also
      // what the store occupies on disk, as one more field beside docker's.
      ctx.stdout.write(`${JSON.stringify(verbose ? { ...report, disk: await storeDiskUsage(engine) } : report)}\n`);
      return;
    }
    ctx.stdout.write(formatDiskUsage(report, { ...(format !== undefined ? { format } : {}), verbose, now: Date.now() }));
    // After docker's tables, only in its default table layout (a template asked for is docker's alone).
    if (verbose && format === undefined) ctx.stdout.write(formatStoreDisk(await storeDiskUsage(engine)));
  },
};
