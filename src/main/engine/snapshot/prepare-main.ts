/**
 * The background process of prepare.ts: `prepare-main.ts ROOT IMAGE_ID…` unpacks each image's
 * layers (lowest first) that are not unpacked yet, then exits. Failures are left to the first
 * use, which unpacks again and reports them.
 */
import { Engine } from '../engine.ts';
import { sandboxUnavailable } from '../runtime/sandbox.ts';
import { Snapshotter } from './snapshotter.ts';

const [root, ...imageIds] = process.argv.slice(2);
// Snapshots serve RUN and containers, which need the sandbox: without it they would be unused.
if (root && !sandboxUnavailable()) {
  const engine = Engine.open({ root });
  try {
    const snapshots = new Snapshotter(engine);
    for (const id of imageIds) {
      try {
        await snapshots.lowerDirs(id);
      } catch {
        /* removed meanwhile, or unreadable: the first use unpacks and reports */
      }
    }
  } finally {
    engine.close();
  }
}
