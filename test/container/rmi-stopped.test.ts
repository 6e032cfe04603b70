import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { hexOf } from '../../src/main/engine/store/digest.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs, writeTar } from '../fixtures/busybox.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';

const why = busyboxMissing() ?? sandboxUnavailable();

/** What the store holds for one image's layers, read from its own database. */
interface Held {
  configDigest: string;
  diffIds: string[];
  chainIds: string[];
}

/**
 * `rmi -f` of an image only a stopped container uses deletes the image (docker 20.10's rule) while
 * the container keeps its layer stack: nothing that collects (`system gc`, `image prune -a`,
 * `builder prune`) may take the layers, blobs or snapshots its rootfs stands on, and once the
 * container is removed they are finally freed.
 */
describe.skipIf(why)(`rmi -f under a stopped container${why ? ` (skipped: ${why})` : ''}`, () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  let held: Held;

  const cli = async (args: string[]): Promise<string> => {
    const r = await strata(root, args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const withEngine = <T>(fn: (e: Engine) => T): T => {
    const e = Engine.open({ root });
    try {
      return fn(e);
    } finally {
      e.close();
    }
  };
  /** Which of the image's layers, config and snapshots the store still has. */
  const present = () => withEngine((e) => ({
    layers: held.diffIds.filter((d) => e.db.prepare('SELECT 1 FROM layers WHERE diff_id = ?').get(d)),
    blobFiles: held.diffIds.flatMap((d) => (e.db.prepare('SELECT blob_digest FROM layer_blobs WHERE diff_id = ?').pluck().all(d) as string[]))
      .filter((b) => e.content.has(b)).length,
    config: e.content.has(held.configDigest),
    snapshots: held.chainIds.filter((c) => existsSync(join(root, 'snapshots', hexOf(c)))).length,
  }));
  /** Dates every snapshot two hours back, past the grace that protects a build in progress. */
  const ageSnapshots = (): void => {
    const old = new Date(Date.now() - 2 * 3_600_000);
    for (const n of readdirSync(join(root, 'snapshots'))) utimesSync(join(root, 'snapshots', n), old, old);
  };
  const collectEverything = async (): Promise<void> => {
    ageSnapshots();
    await cli(['system', 'gc']);
    await cli(['image', 'prune', '-a', '-f']);
    await cli(['builder', 'prune', '-a', '-f']);
    await cli(['system', 'gc']);
  };

  beforeAll(async () => {
    dir = tempDir();
    root = join(dir.path, 'store');
    const base = join(dir.path, 'base.tar');
    const top = join(dir.path, 'top.tar');
    await writeBusyboxRootfs(base);
    await writeTar(top, [{ type: 'dir', name: 'data/' }, { type: 'file', name: 'data/keep.txt', content: 'from the deleted image\n' }]);
    held = await (async () => {
      const e = Engine.open({ root });
      try {
        const img = await storeImage(e, [base, top], { tags: ['app:1'], config: { config: { Cmd: ['sh'] } } });
        const layers = e.images.layers(img.id);
        return { configDigest: img.id, diffIds: layers.map((l) => l.diffId), chainIds: layers.map((l) => l.chainId) };
      } finally {
        e.close();
      }
    })();
    // A build whose cache records the same layers: builder prune must not free them either.
    execFileSync('sh', ['-c', `printf 'FROM app:1\\nRUN echo built > /built\\n' > ${join(dir.path, 'Dockerfile')}`]);
    await cli(['build', '-q', '-t', 'built:1', dir.path]);
    await cli(['rmi', 'built:1']);
  });
  afterAll(() => dir?.cleanup());

  it('deletes the image; the container still starts, diffs, exports and commits after every collector', async () => {
    await cli(['run', '--name', 'keeper', 'app:1', 'sh', '-c', 'cat /data/keep.txt; echo again >> /made']);
    expect(await cli(['rmi', '-f', 'app:1'])).toBe(`Untagged: app:1\nDeleted: ${held.configDigest}\n`);
    expect(await cli(['images', '-a', '-q'])).toBe('');
    expect(await cli(['ps', '-a', '--format', '{{.Image}}'])).toBe(`${hexOf(held.configDigest).slice(0, 12)}\n`);
    // docker counts layers only images hold: the container's are in no image row any more.
    expect(await cli(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Size}}'])).toMatch(/^Images 0 0B\n/);

    await collectEverything();
    expect(present()).toEqual({ layers: held.diffIds, blobFiles: 2, config: true, snapshots: 2 });

    expect(await cli(['start', '-a', 'keeper'])).toBe('from the deleted image\n');
    expect(await cli(['diff', 'keeper'])).toBe('A /made\n');
    const tarFile = join(dir.path, 'keeper.tar');
    await cli(['export', '-o', tarFile, 'keeper']);
    const names = execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' }).split('\n');
    expect(names).toEqual(expect.arrayContaining(['data/keep.txt', 'made', 'bin/busybox']));
    await cli(['commit', 'keeper', 'kept:1']);
    expect(await cli(['run', '--rm', 'kept:1', 'cat', '/made', '/data/keep.txt'])).toBe('again\nagain\nfrom the deleted image\n');
    // The committed image has no parent to name (docker's would, had its commit not failed).
    expect(await cli(['inspect', '--format', '{{.Parent}}', 'kept:1'])).toBe('\n');
  });

  it("records the layer stack of a container made before the stack was recorded (the migration)", async () => {
    const old = join(dir.path, 'old-store');
    const stack = (e: Engine, id: string): string[] =>
      e.db.prepare('SELECT chain_id FROM container_layers WHERE container_id = ? ORDER BY position').pluck().all(id) as string[];
    let id: string;
    {
      const e = Engine.open({ root: old });
      try {
        await storeImage(e, [join(dir.path, 'base.tar'), join(dir.path, 'top.tar')], { tags: ['app:1'], config: { config: { Cmd: ['sh'] } } });
        id = e.containers.create({ image: 'app:1' }).id;
        expect(stack(e, id)).toEqual(held.chainIds);
        // The store as the previous schema left it.
        e.db.exec("DROP TABLE container_layers; UPDATE schema_versions SET version = 1 WHERE service = 'containers'");
      } finally {
        e.close();
      }
    }
    const e = Engine.open({ root: old });
    try {
      expect(stack(e, id)).toEqual(held.chainIds);
    } finally {
      e.close();
    }
  });

  it('frees the layers, the config and the snapshots once the container and its commit are gone', async () => {
    await cli(['rmi', 'kept:1']);
    await collectEverything();
    expect(present()).toEqual({ layers: held.diffIds, blobFiles: 2, config: true, snapshots: 2 });
    await cli(['rm', 'keeper']);
    await collectEverything();
    expect(present()).toEqual({ layers: [], blobFiles: 0, config: false, snapshots: 0 });
  });
});
