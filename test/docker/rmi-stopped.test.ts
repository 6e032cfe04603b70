import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';
import { makeOracleArchives, mustSucceed } from './archives.ts';

const skip = dockerdMissing() ?? busyboxMissing() ?? (process.getuid?.() === 0 ? undefined : 'the sandbox needs root here');

/**
 * `rmi` of an image containers use, against a real dockerd 20.10 on the same images: without -f a
 * conflict naming the container; with -f, an image a running container uses is only untagged,
 * one only a stopped container uses is deleted (`Deleted: sha256:…`, none of its layers: the
 * container holds them). Afterwards `ps -a` shows the image's short ID, `images` and `system df`
 * no longer count it, and the container still starts and diffs.
 */
describe.skipIf(skip)(`docker oracle: rmi of images containers use${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: { path: string; cleanup: () => void };
  let d: Dockerd;
  let root: string;
  /** Each side's container IDs, short, so conflict messages compare. */
  const ids = { docker: new Map<string, string>(), strata: new Map<string, string>() };

  async function both(args: string[]): Promise<void> {
    await d.docker(args);
    await mustSucceed(root, args);
  }

  /** Runs ARGS on both sides and expects the same exit code and output (container IDs named). */
  async function same(args: string[]): Promise<string> {
    const theirs = await d.docker(args, { allowFailure: true });
    const ours = await strata(root, args);
    const norm = (text: string, side: 'docker' | 'strata'): string => {
      let out = text;
      for (const [name, id] of ids[side]) out = out.replaceAll(id, name.toUpperCase());
      return out;
    };
    expect(norm(ours.stdout + ours.stderr, 'strata'), args.join(' ')).toBe(norm(theirs.stdout + theirs.stderr, 'docker'));
    expect(ours.code, args.join(' ')).toBe(theirs.code);
    return ours.stdout;
  }

  async function remember(name: string): Promise<void> {
    const fmt = ['inspect', '--format', '{{.Id}}', name];
    ids.docker.set(name, (await d.docker(fmt)).stdout.trim().slice(0, 12));
    ids.strata.set(name, (await mustSucceed(root, fmt)).trim().slice(0, 12));
  }

  beforeAll(async () => {
    dir = tempDir();
    root = join(dir.path, 'store');
    const archives = await makeOracleArchives(dir.path);
    d = await startDockerd();
    for (const file of [archives.busybox, archives.appNew]) await both(['load', '-i', file]);
    await both(['tag', 'app:1', 'other:1']);
    await d.docker(['run', '--network', 'none', '--name', 'user', 'app:1', 'sh', '-c', 'echo x >> /made']);
    await mustSucceed(root, ['run', '--name', 'user', 'app:1', 'sh', '-c', 'echo x >> /made']);
    await d.docker(['run', '-d', '--network', 'none', '--name', 'runner', 'busybox', 'sleep', '600']);
    await mustSucceed(root, ['run', '-d', '--name', 'runner', 'busybox', 'sleep', '600']);
    for (const name of ['user', 'runner']) await remember(name);
  });
  afterAll(async () => {
    await d?.docker(['rm', '-f', 'runner'], { allowFailure: true });
    if (root) await strata(root, ['rm', '-f', 'runner']);
    await d?.stop();
    dir?.cleanup();
  });

  it('-f of an image a running container uses only untags it; without -f the last name is refused', async () => {
    await same(['rmi', 'busybox']);
    expect(await same(['rmi', '-f', 'busybox'])).toBe('Untagged: busybox:latest\n');
    await same(['rmi', 'other:1']);
    expect(await same(['rmi', 'app:1'])).toBe('');
  });

  it('-f of an image only a stopped container uses deletes it, and the container still works', async () => {
    expect(await same(['rmi', '-f', 'app:1'])).toMatch(/^Untagged: app:1\nDeleted: sha256:[a-f0-9]{64}\n$/);
    await same(['ps', '-a', '--format', '{{.Names}} {{.Image}}']);
    await same(['images', '-a', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}']);
    await same(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Active}} {{.Size}} {{.Reclaimable}}']);
    await same(['start', '-a', 'user']);
    await same(['diff', 'user']);
  });
});
