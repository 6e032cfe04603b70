import type { Command } from '../command.ts';
import { formatBytes } from '../format.ts';
import { Snapshotter } from '../../engine/snapshot/snapshotter.ts';
import { sweepInterruptedBuilds } from '../../engine/build/leftovers.ts';

export const fsckCommand: Command = {
  path: ['fsck'],
  usage: 'strata fsck',
  description: "Verify every blob's digest and every reference in the store",
  flags: [],
  maxArgs: 0,
  async run(ctx) {
    const report = await ctx.engine().fsck();
    for (const p of report.problems) ctx.stdout.write(`ERROR ${p.message}\n`);
    if (report.unreferencedFiles.length > 0) {
      ctx.stdout.write(`note: ${report.unreferencedFiles.length} unreferenced blob file(s) left by an interrupted operation; 'strata system gc' removes them\n`);
    }
    ctx.stdout.write(`checked ${report.blobsChecked} blobs and ${report.imagesChecked} images: ${report.problems.length === 0 ? 'no problems' : `${report.problems.length} problem(s)`}\n`);
    return report.problems.length === 0 ? 0 : 1;
  },
};

export const gcCommand: Command = {
  path: ['system', 'gc'],
  usage: 'strata system gc',
  description: 'Remove layers and blobs that nothing references',
  flags: [],
  maxArgs: 0,
  async run(ctx) {
    // Builds killed outright: their records are finished and their scratch folders removed first.
    const swept = sweepInterruptedBuilds(ctx.engine());
    if (swept.interrupted.length > 0) ctx.stdout.write(`Marked ${swept.interrupted.length} interrupted build${swept.interrupted.length === 1 ? '' : 's'} as failed\n`);
    const res = await ctx.engine().gc.collect();
    // Unpacked layers no image uses any more (derived data: unpacked again when needed).
    const snapshots = new Snapshotter(ctx.engine()).prune();
    if (snapshots > 0) ctx.stdout.write(`Removed ${snapshots} unused layer snapshot${snapshots === 1 ? '' : 's'}\n`);
    ctx.stdout.write(`Removed ${res.layersRemoved.length} layers and ${res.blobsRemoved.length} blobs\nTotal reclaimed space: ${formatBytes(res.bytesFreed)}\n`);
  },
};
