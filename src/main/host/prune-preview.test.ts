/**
 * The disk view's prune actions: what each says it would free is what running it then frees, in
 * docker's bytes. A real store: busybox, builds with known layer sizes (so the build cache and a
 * dangling image hold bytes), and a stopped container with a writable layer, run in the sandbox.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.ts';
import { busyboxMissing } from '../../../test/fixtures/busybox.ts';
import { tempDir } from '../../../test/tmp.ts';
import { buildWithEvents, storeBusybox } from '../../../test/build/helpers.ts';
import { strata } from '../../../test/cli/run.ts';
import { createHandlers } from './handlers.ts';
import type { PruneAction } from '../../shared/contract.ts';

const tmp = tempDir('strata-prune-preview-');
const skip = busyboxMissing() ?? (process.getuid?.() === 0 ? undefined : 'the sandbox needs root here');
let engine: Engine;
const root = join(tmp.path, 'root');

beforeAll(() => {
  engine = Engine.open({ root });
});
afterAll(() => {
  engine.close();
  tmp.cleanup();
});

async function buildTagged(name: string, dockerfile: string): Promise<void> {
  const dir = join(tmp.path, `ctx-${name.replace(/\W/g, '-')}-${Date.now()}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  await buildWithEvents(engine, { context: dir, tags: [name] });
}

describe.skipIf(skip)(`prune previews${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('each action frees exactly what its preview said, in docker\'s bytes', async () => {
    const busybox = await storeBusybox(engine, tmp.path);
    const busyboxSize = engine.images.get(busybox)!.size;
    await buildTagged('app:1', 'FROM busybox\nRUN head -c 5000 /dev/zero > /blob\n');
    await buildTagged('app:1', 'FROM busybox\nRUN head -c 7000 /dev/zero > /blob\n'); // the first app:1 is now dangling
    await buildTagged('extra:1', 'FROM busybox\nRUN head -c 3000 /dev/zero > /other\n');
    const run = await strata(root, ['run', '--name', 'stopped', 'extra:1', 'sh', '-c', 'head -c 1234 /dev/zero > /written']);
    expect(run.code, run.stderr).toBe(0);

    const h = createHandlers(engine, { host: 'browser' });
    const preview = async () => h.requests['system.prunePreview']({});
    const prune = async (action: PruneAction) => (await h.requests['system.prune']({ action })).spaceReclaimed;

    // The build cache still names the dangling image's layer: its prune frees the layer's 5000
    // bytes only once the cache lets go, so the cache goes first here, then the images.
    const expected: Record<PruneAction, number> = { 'stopped-containers': 1234, 'build-cache': 5000 + 7000 + 3000, 'dangling-images': 5000, 'unused-images': 7000 + 3000 + busyboxSize };
    for (const action of ['stopped-containers', 'build-cache', 'dangling-images', 'unused-images'] as const) {
      const before = (await preview())[action];
      expect(before, action).toBe(expected[action]);
      const freed = await prune(action);
      expect(freed, action).toBe(before);
      expect((await preview())[action], `${action} again`).toBe(0);
    }
    expect(engine.images.all()).toEqual([]);
  });
});
