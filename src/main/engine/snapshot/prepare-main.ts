/**
 * The background process of prepare.ts: `prepare-main.ts ROOT IMAGE_ID…` unpacks each image's
 * layers (lowest first) that are not unpacked yet, then exits. Failures are left to the first
 * use, which unpacks again and reports them. `prepare-main.ts ROOT -` (startPreparer) reads the
 * IDs from stdin to its end first, and opens the store only if there are any.
 */
import { Engine } from '../engine.ts';
import { sandboxUnavailable } from '../runtime/sandbox.ts';
import { isDigest } from '../store/digest.ts';
import { Snapshotter } from './snapshotter.ts';
import { IDS_FROM_STDIN } from './prepare.ts';

/** The IDs the starter writes once its images are stored; none when it failed or died. */
async function idsFromStdin(): Promise<string[]> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const piece of process.stdin) {
    text += piece as string;
    if (text.length > 1 << 20) return []; // not what a starter writes
  }
  return text.split('\n').filter(isDigest);
}

const [root, ...args] = process.argv.slice(2);
const imageIds = args.length === 1 && args[0] === IDS_FROM_STDIN ? await idsFromStdin() : args;
// Snapshots serve RUN and containers, which need the sandbox: without it they would be unused.
if (root && imageIds.length > 0 && !sandboxUnavailable()) {
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
