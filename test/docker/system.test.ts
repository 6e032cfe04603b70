/**
 * `version`, `info`, `system prune`, `system df`'s JSON and `image inspect` beside docker 20.10 on
 * the same images and containers. Strata's "server" is its own engine, so versions and the runtime
 * differ by design: what is compared is docker's layout and field names, the counts, the prompt,
 * and the values both have.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { suiteName } from '../fixtures/skip.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';
import { makeOracleArchives, mustSucceed } from './archives.ts';

const skip = dockerdMissing() ?? busyboxMissing() ?? sandboxUnavailable();

/** Every key path of a JSON value (`.Config.Env`), arrays by their first element. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length > 0 && typeof value[0] === 'object' ? keyPaths(value[0], `${prefix}[]`) : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...keyPaths(v, `${prefix}.${k}`)]);
}

describe.skipIf(skip)(suiteName('docker oracle: version, info, system prune, df json, image inspect', skip), () => {
  let dir: { path: string; cleanup: () => void };
  let d: Dockerd;
  let root: string;

  beforeAll(async () => {
    dir = tempDir('strata-system-');
    root = join(dir.path, 'store');
    const archives = await makeOracleArchives(dir.path);
    d = await startDockerd();
    for (const file of [archives.busybox, archives.big, archives.appOld, archives.appNew]) {
      await d.docker(['load', '-i', file]);
      await mustSucceed(root, ['load', '-i', file]);
    }
    await d.docker(['run', '--network', 'none', '--name', 'done', 'busybox', 'true']);
    await mustSucceed(root, ['run', '--network', 'none', '--name', 'done', 'busybox', 'true']);
  });
  afterAll(async () => {
    await d?.stop();
    dir?.cleanup();
  });

  it('version: docker\'s Client/Server JSON fields and tab stops; --format templates', async () => {
    const theirs = JSON.parse((await d.docker(['version', '--format', '{{json .}}'])).stdout) as Record<string, Record<string, unknown>>;
    const ours = JSON.parse(await mustSucceed(root, ['version', '--format', '{{json .}}'])) as Record<string, Record<string, unknown>>;
    expect(Object.keys(ours.Client!)).toEqual(Object.keys(theirs.Client!));
    expect(Object.keys(ours.Server!)).toEqual(Object.keys(theirs.Server!));
    expect((ours.Server!.Components as { Name: string }[])[0]!.Name).toBe('Engine');
    expect(await mustSucceed(root, ['version', '--format', '{{.Client.Version}}'])).toBe('0.1.0\n');
    expect(ours.Client!.GoVersion).toBe(`node${process.versions.node}`);
    // The values start where docker's do (its tabwriter: minimum width 20, padding 1).
    const column = (text: string, label: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(label))!;
      return line.length - line.slice(label.length).trimStart().length;
    };
    const text = await mustSucceed(root, ['version']);
    const dockerText = (await d.docker(['version'])).stdout;
    for (const label of [' Version:', ' API version:', '  Version:', '  API version:']) expect(column(text, label), label).toBe(column(dockerText, label));
    expect(text).toMatch(/^Client: Strata\n Version: +0\.1\.0\n/);
    expect(text).toContain(`\n Node version:      ${process.version}\n`);
  });

  it('info: docker\'s counts and layout, every field of its JSON, the store as the root dir', async () => {
    const theirs = (await d.docker(['info'])).stdout;
    const ours = await mustSucceed(root, ['info']);
    const head = (text: string): string => text.split('\n').slice(0, 11).join('\n');
    expect(head(ours)).toBe(head(theirs).replace(/ Server Version: .*/, ' Server Version: 0.1.0'));
    for (const line of [' CPUs: ', ' Total Memory: ', ' Kernel Version: ', ' Operating System: ', ' OSType: ', ' Architecture: ']) {
      expect(ours.split('\n').find((l) => l.startsWith(line)), line).toBe(theirs.split('\n').find((l) => l.startsWith(line)));
    }
    expect(ours).toContain(`\n Strata Root Dir: ${root}\n`);
    const dockerJson = JSON.parse((await d.docker(['info', '--format', '{{json .}}'])).stdout) as Record<string, unknown>;
    const json = JSON.parse(await mustSucceed(root, ['info', '--format', '{{json .}}'])) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(Object.keys(dockerJson));
    expect(json).toMatchObject({ Containers: 1, ContainersStopped: 1, Images: dockerJson.Images, DockerRootDir: root, NCPU: dockerJson.NCPU, MemTotal: dockerJson.MemTotal });
  });

  it('system df --format json is docker\'s one object per row, -v one object of the four lists', async () => {
    const theirs = (await d.docker(['system', 'df', '--format', '{{json .}}'])).stdout;
    expect((await strata(root, ['system', 'df', '--format', 'json'])).stdout).toBe(theirs);
    expect((await strata(root, ['system', 'df', '--format', '{{json .}}'])).stdout).toBe(theirs);
    const verbose = (args: string[], text: string): Record<string, Record<string, string>[]> => {
      const o = JSON.parse(text) as Record<string, Record<string, string>[]>;
      // The container's ID, times and the network it was given are its own on each side.
      for (const c of o.Containers ?? []) for (const k of ['ID', 'CreatedAt', 'RunningFor', 'Status', 'Networks']) delete c[k];
      expect(Object.keys(o), args.join(' ')).toEqual(['Images', 'Containers', 'Volumes', 'BuildCache']);
      return o;
    };
    const dockerVerbose = verbose(['docker'], (await d.docker(['system', 'df', '-v', '--format', '{{json .}}'])).stdout);
    expect(verbose(['strata'], (await strata(root, ['system', 'df', '-v', '--format', 'json'])).stdout)).toEqual(dockerVerbose);
  });

  it('image and container inspect have every field docker has; Comment from commit -m and from BuildKit\'s history', async () => {
    const theirs = JSON.parse((await d.docker(['image', 'inspect', 'big'])).stdout) as unknown[];
    const ours = JSON.parse(await mustSucceed(root, ['image', 'inspect', 'big'])) as unknown[];
    // GraphDriver.Data is overlay2's directories; Strata's store has none to show.
    const paths = (v: unknown): string[] => keyPaths(v).filter((p) => !p.startsWith('.GraphDriver.Data.'));
    expect(paths(ours[0])).toEqual(paths(theirs[0]));
    const { Metadata: _m, GraphDriver: _g, ...same } = theirs[0] as Record<string, unknown>;
    expect(ours[0]).toMatchObject(same);
    // A container: every field docker has, docker's zero values where Strata has no counterpart.
    const container = async (run: (a: string[]) => Promise<string>): Promise<string[]> => paths((JSON.parse(await run(['container', 'inspect', 'done'])) as unknown[])[0]);
    expect(await container((a) => mustSucceed(root, a))).toEqual(await container(async (a) => (await d.docker(a)).stdout));

    await d.docker(['commit', '-m', 'a message', 'done', 'committed:1']);
    await mustSucceed(root, ['commit', '-m', 'a message', 'done', 'committed:1']);
    const ctx = join(dir.path, 'ctx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo hi > /x\n');
    await d.docker(['build', '-q', '--network', 'none', '-t', 'built:1', ctx]);
    await mustSucceed(root, ['build', '-q', '-t', 'built:1', ctx]);
    for (const name of ['committed:1', 'built:1', 'busybox']) {
      const args = ['inspect', '--format', '{{json .Comment}}', name];
      expect(await mustSucceed(root, args), name).toBe((await d.docker(args)).stdout);
    }
    expect(await mustSucceed(root, ['inspect', '--format', '{{.Comment}}', 'built:1'])).toBe('buildkit.dockerfile.v0\n');
  });

  it('system prune: docker\'s prompt (less networks, which Strata has none of), then what it removed', async () => {
    const noNetworks = (text: string): string => text.replace('  - all networks not used by at least one container\n', '');
    for (const args of [['system', 'prune'], ['system', 'prune', '-a']]) {
      const theirs = await d.docker(args, { input: 'n\n' });
      const ours = await strata(root, args, 'n\n');
      expect({ code: ours.code, stdout: ours.stdout }, args.join(' ')).toEqual({ code: theirs.code, stdout: noNetworks(theirs.stdout) });
    }
    // The stopped container and the dangling app:1 go; container IDs are each side's own, build
    // cache records are BuildKit's on one side and Strata's on the other.
    const sections = (text: string): { containers: number; images: string[]; last: string } => ({
      containers: /^Deleted Containers:\n((?:[0-9a-f]{64}\n)*)\n/.exec(text)?.[1]!.split('\n').filter(Boolean).length ?? 0,
      images: /^Deleted Images:\n((?:(?:deleted|untagged): .*\n)*)\n/m.exec(text)?.[1]!.split('\n').filter(Boolean).sort() ?? [],
      last: text.split('\n').at(-2)!.replace(/: \S+$/, ': <size>'),
    });
    const theirs = sections((await d.docker(['system', 'prune', '-f'])).stdout);
    const ours = sections(await mustSucceed(root, ['system', 'prune', '-f']));
    expect(ours).toEqual(theirs);
    expect(ours.containers).toBe(1);
    expect(ours.images).toContain('deleted: sha256:f2051c2e601d86b5ffc4a7c6f7a71e8cd6e3bbffbac8385023705cf25041d5b8');
    expect(ours.last).toBe('Total reclaimed space: <size>');
  });
});
