import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';
import { makeOracleArchives, mustSucceed } from './archives.ts';

const skip = dockerdMissing() ?? busyboxMissing();
const REFS = ['busybox:latest', 'big:latest', 'app:1'];
const IDENTITY = '{{.Id}} {{.RepoTags}} {{.RootFS.Layers}} {{.Size}} {{.Config.Cmd}}';

/**
 * Archives both ways: docker loads every archive Strata saves (docker-archive and OCI), and Strata
 * loads what `docker save` writes, each side ending with the same image IDs, layers, tags and sizes.
 */
describe.skipIf(skip)(`docker oracle: archives both ways${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: { path: string; cleanup: () => void };
  let d: Dockerd;
  let root: string;

  beforeAll(async () => {
    dir = tempDir();
    root = join(dir.path, 'store');
    const archives = await makeOracleArchives(dir.path);
    for (const file of [archives.busybox, archives.big, archives.appNew]) await mustSucceed(root, ['load', '-i', file]);
    d = await startDockerd();
  });
  afterAll(async () => {
    await d?.stop();
    dir?.cleanup();
  });

  async function identity(side: 'docker' | 'strata', storeRoot = root): Promise<string[]> {
    const out: string[] = [];
    for (const ref of REFS) {
      const args = ['inspect', '--format', IDENTITY, ref];
      out.push(side === 'docker' ? (await d.docker(args)).stdout : await mustSucceed(storeRoot, args));
    }
    return out;
  }

  for (const format of ['docker-archive', 'oci'] as const) {
    it(`docker loads what strata save --format ${format} writes: same IDs, tags, layers, sizes`, async () => {
      const file = join(dir.path, `strata-${format}.tar`);
      await mustSucceed(root, ['save', '--format', format, '-o', file, ...REFS]);
      await d.docker(['rmi', '-f', ...REFS], { allowFailure: true });
      const loaded = await d.docker(['load', '-i', file]);
      expect(loaded.stdout.split('\n').filter(Boolean).sort()).toEqual(REFS.map((r) => `Loaded image: ${r}`).sort());
      expect(await identity('docker')).toEqual(await identity('strata'));
      // the layers really unpack: the 300,000-byte file is there, whole
      const run = await d.docker(['run', '--rm', '--network', 'none', 'big:latest', 'sh', '-c', 'wc -c < /data/blob.bin']);
      expect(run.stdout.trim()).toBe('300000');
    });
  }

  it("strata loads what docker save writes (docker 20.10's legacy layout): same IDs, tags, layers, sizes, history", async () => {
    const file = join(dir.path, 'docker-save.tar');
    await d.docker(['save', '-o', file, ...REFS]);
    const fresh = join(dir.path, 'from-docker');
    const out = await mustSucceed(fresh, ['load', '-i', file]);
    expect(out.split('\n').filter(Boolean).sort()).toEqual(REFS.map((r) => `Loaded image: ${r}`).sort());
    expect(await identity('strata', fresh)).toEqual(await identity('docker'));
    for (const ref of REFS) {
      const theirs = (await d.docker(['history', '--no-trunc', ref])).stdout;
      expect((await strata(fresh, ['history', '--no-trunc', ref])).stdout, ref).toBe(theirs);
    }
    // and back again: what strata saves from docker's archive, docker loads to the same images
    const again = join(dir.path, 'again.tar');
    await mustSucceed(fresh, ['save', '-o', again, ...REFS]);
    await d.docker(['rmi', '-f', ...REFS]);
    await d.docker(['load', '-i', again]);
    expect(await identity('docker')).toEqual(await identity('strata', fresh));
  });
});
