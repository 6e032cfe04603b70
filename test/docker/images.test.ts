import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { DiskUsageReport } from '../../src/main/engine/api.ts';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';
import { makeOracleArchives, mustSucceed, type OracleArchives } from './archives.ts';

const skip = dockerdMissing() ?? busyboxMissing();

/**
 * Docker as the oracle for the image views: the same archives loaded into a real dockerd and into
 * Strata, then `images`, `history`, `inspect` and `system df` compared byte for byte. Known
 * differences between docker 20.10's CLI and the current one Strata follows are spelled out where
 * they are normalised (README "Docker compatibility").
 */
describe.skipIf(skip)(`docker oracle: images, history and system df${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: { path: string; cleanup: () => void };
  let d: Dockerd;
  let root: string;
  let archives: OracleArchives;

  beforeAll(async () => {
    dir = tempDir();
    root = join(dir.path, 'store');
    archives = await makeOracleArchives(dir.path);
    d = await startDockerd();
    // app:1 is loaded twice: the second load takes the tag and leaves the first image dangling.
    for (const file of [archives.busybox, archives.big, archives.appOld, archives.appNew]) {
      await d.docker(['load', '-i', file]);
      await mustSucceed(root, ['load', '-i', file]);
    }
  });
  afterAll(async () => {
    await d?.stop();
    dir?.cleanup();
  });

  async function both(args: string[]): Promise<{ docker: string; strata: string }> {
    const theirs = await d.docker(args, { allowFailure: true });
    const ours = await strata(root, args);
    expect(ours.code, `strata ${args.join(' ')}: ${ours.stderr}`).toBe(theirs.code);
    return { docker: theirs.stdout + theirs.stderr, strata: ours.stdout + ours.stderr };
  }

  let dangling = ''; // the dangling image's full ID, as docker names it
  beforeAll(async () => {
    dangling = (await d.docker(['images', '-q', '--no-trunc', '--filter', 'dangling=true'])).stdout.trim();
  });

  it("images: sizes by docker's rule (busybox 1.98MB, +300 kB file 2.28MB), every format and filter equal", async () => {
    expect(dangling).toMatch(/^sha256:[0-9a-f]{64}$/);
    const all = await both(['images', '-a']);
    expect(all.strata).toBe(all.docker);
    expect(all.strata).toMatch(/^busybox +latest +\w{12} +.+ago +1\.98MB$/m);
    expect(all.strata).toMatch(/^big +latest +\w{12} +.+ago +2\.28MB$/m);
    for (const args of [
      ['images'],
      ['images', '-a', '--no-trunc'],
      ['images', '-q'],
      ['images', '-a', '--format', '{{.Repository}}|{{.Tag}}|{{.ID}}|{{.Size}}|{{.CreatedAt}}'],
      ['images', '-a', '--format', '{{json .}}'],
      ['images', 'b*'],
      ['images', 'j*'],
      ['images', 'app'],
      ['images', '--filter', 'dangling=true'],
      ['images', '--filter', 'dangling=false'],
      ['images', '--filter', 'label=size=big'],
      ['images', '--filter', 'label=app'],
      ['images', '--filter', 'before=app:1'],
      ['images', '--filter', 'since=busybox'],
      ['images', '--filter', 'reference=b*'],
      ['images', '--filter', 'reference=app:*'],
      ['images', '--filter', 'dangling=true', '--filter', 'label=app'],
    ]) {
      const out = await both(args);
      expect(out.strata, args.join(' ')).toBe(out.docker);
    }
  });

  it('history: every row equal, sizes included (a 51-byte COPY is 51B, a hard link pair once)', async () => {
    for (const ref of ['busybox', 'big', 'app:1', dangling.slice(7, 19)]) {
      for (const flags of [[], ['--no-trunc'], ['-q'], ['--human=false'], ['--format', '{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}']]) {
        const out = await both(['history', ...flags, ref]);
        expect(out.strata, `history ${flags.join(' ')} ${ref}`).toBe(out.docker);
      }
    }
    const old = await both(['history', '--format', '{{.Size}}', dangling.slice(7, 19)]);
    expect(old.strata.split('\n')[0]).toBe('51B');
  });

  it('inspect .Size is the same number of bytes', async () => {
    const sizes: Record<string, number> = {};
    for (const ref of ['busybox', 'big', 'app:1', dangling]) {
      const out = await both(['inspect', '--format', '{{.Size}}', ref]);
      expect(out.strata, ref).toBe(out.docker);
      sizes[ref] = Number(out.strata);
    }
    // the 300,000-byte file adds exactly its bytes; the 51-byte file its 51; tool + its hard link
    // once (10) + the symlink's target (9)
    expect(sizes.big! - sizes.busybox!).toBe(300_000);
    expect(sizes[dangling]! - sizes.busybox!).toBe(51);
    expect(sizes['app:1']! - sizes.busybox!).toBe(10 + '/opt/tool'.length);
  });

  it('system df: the Engine API numbers byte for byte, the tables equal', async () => {
    const api = await d.api<{ LayersSize: number; Images: { Id: string; Size: number; SharedSize: number; Containers: number }[] }>('/system/df');
    const ours = JSON.parse((await strata(root, ['system', 'df', '--report'])).stdout) as DiskUsageReport;
    expect(ours.layersSize).toBe(api.LayersSize);
    const byId = (list: { id: string; size: number; sharedSize: number; containers: number }[]) =>
      Object.fromEntries(list.map((i) => [i.id, [i.size, i.sharedSize, i.containers]]));
    expect(byId(ours.images)).toEqual(byId(api.Images.map((i) => ({ id: i.Id, size: i.Size, sharedSize: i.SharedSize, containers: i.Containers }))));
    const summary = await both(['system', 'df']);
    expect(summary.strata).toBe(summary.docker);
    // docker 20.10's verbose table prints SIZE as {{.VirtualSize}} (4 significant digits); docker
    // 25+ and Strata as {{.Size}} (3). Every other byte is equal; the exact numbers are above.
    const verbose = await both(['system', 'df', '-v']);
    const sizeColumn = (t: string) => t.replace(/^(\S+ +\S+ +\w{12} +.+? ago +)(\S+)( +)/gm, (_, head: string, size: string, pad: string) => `${head}<size>${' '.repeat(Math.max(1, size.length + pad.length - 6))}`);
    // Then Strata's own section: what the store occupies on disk (docs/store.md).
    const [docker, onDisk] = verbose.strata.split('\nStored on disk (');
    expect(onDisk).toMatch(/^what Strata occupies/);
    expect(sizeColumn(docker!)).toBe(sizeColumn(verbose.docker));
  });
});
