import type { Command } from '../command.ts';
import { flagBool, flagString } from '../command.ts';
import { diskUsage } from '../../engine/usage/disk-usage.ts';
import { formatDiskUsage } from '../image-format.ts';

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
    const report = diskUsage(ctx.engine());
    const format = flagString(ctx, 'format');
    if (format === 'json') {
      // The UI's data: summary rows plus every image with its shared and unique bytes.
      ctx.stdout.write(`${JSON.stringify(report)}\n`);
      return;
    }
    ctx.stdout.write(formatDiskUsage(report, { ...(format !== undefined ? { format } : {}), verbose: flagBool(ctx, 'verbose'), now: Date.now() }));
  },
};
