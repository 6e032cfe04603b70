import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';
import { makeOracleArchives, mustSucceed, type OracleArchives } from './archives.ts';

const skip = dockerdMissing() ?? busyboxMissing() ?? (process.getuid?.() === 0 ? undefined : 'the sandbox needs root here');

/**
 * `rmi` and `image prune` against a real dockerd on the same images: a base with a committed child
 * (parent links, as `commit` and the classic builder make), a container using the child, a rebuilt
 * tag leaving a dangling image. What is untagged and deleted, and what `images -a` shows after,
 * must be docker's. Image IDs are the same on both sides (same archives, same commits aside); the
 * committed child's ID differs (its config carries the container), so rows are compared by name.
 */
describe.skipIf(skip)(`docker oracle: rmi and image prune${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: { path: string; cleanup: () => void };
  let d: Dockerd;
  let root: string;
  let archives: OracleArchives;

  async function both(args: string[]): Promise<void> {
    await d.docker(args);
    await mustSucceed(root, args);
  }

  /** `images -a` as `REPO:TAG` names, the child's ID shown as CHILD (IDs of commits differ). */
  async function listing(): Promise<{ docker: string[]; strata: string[] }> {
    const fmt = ['images', '-a', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'];
    const theirs = (await d.docker(fmt)).stdout;
    const ours = (await strata(root, fmt)).stdout;
    const childOf = async (run: (a: string[]) => Promise<string>): Promise<string> =>
      (await run(['inspect', '--format', '{{.Image}}', 'user'])).trim().slice(7, 19);
    const dockerChild = await childOf(async (a) => (await d.docker(a)).stdout);
    const strataChild = await childOf((a) => mustSucceed(root, a));
    const norm = (text: string, child: string): string[] => text.split('\n').filter(Boolean).map((l) => l.replace(child, 'CHILD')).sort();
    return { docker: norm(theirs, dockerChild), strata: norm(ours, strataChild) };
  }

  beforeAll(async () => {
    dir = tempDir();
    root = join(dir.path, 'store');
    archives = await makeOracleArchives(dir.path);
    d = await startDockerd();
    for (const file of [archives.busybox, archives.appOld, archives.appNew]) {
      await both(['load', '-i', file]);
    }
    await d.docker(['run', '--network', 'none', '--name', 'maker', 'busybox', 'sh', '-c', 'echo x > /made']);
    await mustSucceed(root, ['run', '--name', 'maker', 'busybox', 'sh', '-c', 'echo x > /made']);
    await both(['commit', 'maker', 'child:1']);
    await both(['rm', 'maker']);
    await d.docker(['create', '--network', 'none', '--name', 'user', 'child:1', 'true']);
    await mustSucceed(root, ['create', '--name', 'user', 'child:1', 'true']);
    await both(['tag', 'busybox', 'other:1']);
  });
  afterAll(async () => {
    await d?.stop();
    dir?.cleanup();
  });

  it('rmi: a name of several goes alone; the last name of a parent only untags; a used image names its container', async () => {
    // the names of one image, sorted as moby's reference store gives them (other:1 was tagged last)
    const tags = ['inspect', '--format', '{{json .RepoTags}}', 'busybox'];
    expect(await mustSucceed(root, tags)).toBe((await d.docker(tags)).stdout);
    const rows = ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', 'reference=*:*'];
    // busybox and other:1 are one image: the docker CLI groups its repositories in a Go map, so their
    // order changes from run to run; the rows must be the same
    const sorted = (text: string): string[] => text.split('\n').sort();
    expect(sorted(await mustSucceed(root, rows))).toEqual(sorted((await d.docker(rows)).stdout));
    for (const args of [['rmi', 'other:1'], ['rmi', 'child:1']]) {
      const theirs = await d.docker(args, { allowFailure: true });
      const ours = await strata(root, args);
      expect(ours.code, args.join(' ')).toBe(theirs.code);
      const userIds = {
        docker: (await d.docker(['inspect', '--format', '{{.Id}}', 'user'])).stdout.trim().slice(0, 12),
        strata: (await mustSucceed(root, ['inspect', '--format', '{{.Id}}', 'user'])).trim().slice(0, 12),
      };
      const imageIds = {
        docker: (await d.docker(['inspect', '--format', '{{.Image}}', 'user'])).stdout.trim().slice(7, 19),
        strata: (await mustSucceed(root, ['inspect', '--format', '{{.Image}}', 'user'])).trim().slice(7, 19),
      };
      const norm = (text: string, side: 'docker' | 'strata'): string => text.replaceAll(userIds[side], 'USER').replaceAll(imageIds[side], 'CHILD');
      expect(norm(ours.stdout + ours.stderr, 'strata'), args.join(' ')).toBe(norm(theirs.stdout + theirs.stderr, 'docker'));
    }
    const { docker, strata: ours } = await listing();
    expect(ours).toEqual(docker);
  });

  it('image prune removes the dangling image; prune -a untags a parent a used child holds, keeps the used child', async () => {
    const lines = (text: string): string[] => text.split('\n').filter((l) => /^(deleted|untagged): /.test(l)).sort();
    const dangling = ['image', 'prune', '-f'];
    expect(lines((await strata(root, dangling)).stdout)).toEqual(lines((await d.docker(dangling)).stdout));
    expect((await listing()).strata).toEqual((await listing()).docker);
    const all = ['image', 'prune', '-a', '-f'];
    const ours = (await strata(root, all)).stdout;
    expect(lines(ours)).toEqual(lines((await d.docker(all)).stdout));
    expect(ours).toContain('untagged: busybox:latest');
    const after = await listing();
    expect(after.strata).toEqual(after.docker);
    expect(after.strata).toContain('child:1 CHILD');
  });
});
