import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import type { DiskUsageReport } from '../../src/main/engine/api.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs, writeTar } from '../fixtures/busybox.ts';
import { conformanceDir, conformanceMissing } from '../paths.ts';
import { tempDir } from '../tmp.ts';
import { strata } from './run.ts';
import { humanSize, humanSize4 } from '../../src/main/cli/units.ts';

interface SinceBefore {
  cases: { filter: string; ids_in_order: string[] }[];
}
interface TagMatch {
  cases: { cmd: string; lists: string[]; not?: string[] }[];
}
/** moby's scenarios; the tests that read them are skipped with this reason when they are not here. */
const noScenarios = conformanceMissing('moby-scenarios');
const scenario = <T>(name: string): T => JSON.parse(readFileSync(join(conformanceDir, 'moby-scenarios', name), 'utf8')) as T;

describe('images, history, inspect, rmi, df through the CLI', () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  let engine: Engine;
  let base: string;
  beforeEach(async () => {
    dir = tempDir();
    root = join(dir.path, 'store');
    engine = Engine.open({ root });
    base = join(dir.path, 'base.tar');
    if (!busyboxMissing()) await writeBusyboxRootfs(base);
  });
  afterEach(() => {
    engine.close();
    dir.cleanup();
  });

  const layerTar = async (name: string, content: string): Promise<string> => {
    const p = join(dir.path, `${name}.tar`);
    await writeTar(p, [{ type: 'file', name: `${name}.txt`, content }]);
    return p;
  };

  it('moby images-since-before: since/before compare Created strictly, newest first', async ({ skip }) => {
    if (noScenarios) skip(noScenarios);
    if (busyboxMissing()) skip(busyboxMissing());
    await storeImage(engine, [base], { tags: ['busybox'] });
    const ids: Record<string, string> = {};
    for (const [i, text] of [[1, '1'], [2, '22'], [3, '333']] as const) {
      const img = await storeImage(engine, [base, await layerTar(`r${i}`, `${text}\n`)], {
        tags: [`testfilter:test_${i}`],
        createdBy: ['ADD rootfs', `RUN echo ${text} > /result.txt`],
        config: { created: `2024-01-01T00:00:0${i}Z` },
      });
      ids[`id${i}`] = img.id;
    }
    const ours = new Set(Object.values(ids));
    for (const c of scenario<SinceBefore>('images-since-before.json').cases) {
      const filter = c.filter.replace('<id1>', ids.id1!.slice(7, 19));
      const res = await strata(root, ['images', '-q', '--no-trunc', '--filter', filter]);
      expect(res.code).toBe(0);
      const listed = res.stdout.split('\n').filter((l) => ours.has(l));
      expect(listed, filter).toEqual(c.ids_in_order.map((k) => ids[k]));
    }
    // Several values: before= resolves to the oldest, since= to the newest.
    const both = await strata(root, ['images', '-q', '--no-trunc', '-f', 'before=testfilter:test_3', '-f', 'before=testfilter:test_2']);
    expect(both.stdout.split('\n').filter((l) => ours.has(l))).toEqual([ids.id1]);
    const since = await strata(root, ['images', '-q', '--no-trunc', '-f', 'since=testfilter:test_1', '-f', 'since=testfilter:test_2']);
    expect(since.stdout.split('\n').filter((l) => ours.has(l))).toEqual([ids.id3]);
  });

  it('moby images-tag-match: PATTERN matches the familiar name or name:tag', async ({ skip }) => {
    if (noScenarios) skip(noScenarios);
    if (busyboxMissing()) skip(busyboxMissing());
    await storeImage(engine, [base], { tags: ['busybox'] });
    for (const t of ['imagewithtag:v1', 'imagewithtag:v1v1', 'imagewithtag:v2', 'a.b.c.d:5000/hello']) {
      expect((await strata(root, ['tag', 'busybox', t])).code).toBe(0);
    }
    for (const c of scenario<TagMatch>('images-tag-match.json').cases) {
      const pattern = c.cmd.replace(/^docker images /, '');
      const res = await strata(root, ['images', '--format', '{{.Repository}}:{{.Tag}}', pattern]);
      expect(res.code).toBe(0);
      const rows = res.stdout.split('\n').filter(Boolean);
      for (const l of c.lists) expect(rows, c.cmd).toContain(l);
      for (const n of c.not ?? []) expect(rows, c.cmd).not.toContain(n);
      if (c.lists.length === 0) expect(rows, c.cmd).toEqual([]);
      else expect(rows.length, c.cmd).toBe(c.lists.length);
    }
    const hint = await strata(root, ['images', 'ls']);
    expect(hint.stderr).toBe('\nNo images found matching "ls": did you mean "strata image ls"?\n');
    expect((await strata(root, ['image', 'ls', 'ls'])).stderr).toBe('');
  });

  it('two images sharing a base: images shows full sizes, system df -v counts the base once', async ({ skip }) => {
    if (busyboxMissing()) skip(busyboxMissing());
    const a = await storeImage(engine, [base, await layerTar('a', 'one\n')], { tags: ['a'] });
    const b = await storeImage(engine, [base, await layerTar('b', 'two two two\n')], { tags: ['b:v1'] });
    const [baseLayer, topA] = engine.images.layers(a.id);
    const topB = engine.images.layers(b.id)[1]!;
    const sizeA = baseLayer!.diffSize + topA!.diffSize;
    const sizeB = baseLayer!.diffSize + topB.diffSize;
    // docker's rule: the files' bytes, not the tar's (a 4-byte file, not a 2 kB tar)
    expect([topA!.diffSize, topB.diffSize]).toEqual([4, 12]);

    const images = await strata(root, ['images', '--format', '{{.Repository}}:{{.Tag}} {{.Size}}']);
    expect(images.stdout).toBe(`b:v1 ${humanSize(sizeB)}\na:latest ${humanSize(sizeA)}\n`);

    const json = JSON.parse((await strata(root, ['system', 'df', '--report'])).stdout) as DiskUsageReport;
    expect(json.layersSize).toBe(baseLayer!.diffSize + topA!.diffSize + topB.diffSize);
    const byId = new Map(json.images.map((i) => [i.id, i]));
    expect(byId.get(a.id)).toMatchObject({ size: sizeA, sharedSize: baseLayer!.diffSize, uniqueSize: topA!.diffSize, containers: 0 });
    expect(byId.get(b.id)).toMatchObject({ size: sizeB, sharedSize: baseLayer!.diffSize, uniqueSize: topB.diffSize, containers: 0 });
    expect(json.summary[0]).toEqual({ type: 'Images', total: 2, active: 0, size: json.layersSize, reclaimable: json.layersSize });

    const df = await strata(root, ['system', 'df']);
    expect(df.stdout.split('\n')[1]).toBe(`Images          2         0         ${humanSize4(json.layersSize).padEnd(10)}${humanSize4(json.layersSize)} (100%)`);
    const verbose = (await strata(root, ['system', 'df', '-v'])).stdout;
    const rowA = verbose.split('\n').find((l) => l.startsWith('a '))!;
    expect(rowA.split(/ {2,}/)).toEqual(['a', 'latest', a.id.slice(7, 19), expect.stringMatching(/ago$/), humanSize(sizeA), humanSize4(baseLayer!.diffSize), humanSize4(topA!.diffSize), '0']);
  });

  it('history lists steps newest first, <missing> for steps that are not images, and empty layers as 0B', async ({ skip }) => {
    if (busyboxMissing()) skip(busyboxMissing());
    const bb = await storeImage(engine, [base], { tags: ['busybox'], createdBy: ['/bin/sh -c #(nop) ADD file:abc in / '] });
    const top = await layerTar('t', 'x'.repeat(1500));
    const long = `/bin/sh -c echo ${'a'.repeat(60)}`;
    const app = await storeImage(engine, [base, top], {
      tags: ['app'],
      config: {
        history: [
          { created: '2024-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
          { created: '2024-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
          { created: '2024-01-02T00:00:00Z', created_by: long, comment: 'buildkit.dockerfile.v0' },
        ],
      },
    });
    const res = await strata(root, ['history', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}', 'app']);
    const topSize = engine.images.layers(app.id)[1]!.diffSize;
    expect(topSize).toBe(1500);
    expect(res.stdout.split('\n')).toEqual([
      `${app.id.slice(7, 19)}|${long.slice(0, 44)}…|${humanSize(topSize)}|buildkit.dockerfile.v0`,
      '<missing>|/bin/sh -c #(nop)  CMD ["sh"]|0B|',
      // busybox ends at this step, but app was not built on it (no recorded parent): <missing>, as docker prints it.
      `<missing>|/bin/sh -c #(nop) ADD file:abc in / |${humanSize(engine.images.layers(bb.id)[0]!.diffSize)}|`,
      '',
    ]);
    const noTrunc = await strata(root, ['history', '--no-trunc', '--human=false', '--format', '{{.CreatedBy}} {{.Size}} {{.CreatedSince}}', 'app']);
    expect(noTrunc.stdout.split('\n')[0]).toBe(`${long} ${topSize} 2024-01-02T00:00:00Z`);
    const json = JSON.parse((await strata(root, ['history', '--format', 'json', 'app'])).stdout.split('\n')[1]!);
    expect(json).toEqual({ Comment: '', CreatedAt: '2024-01-01T00:00:00Z', CreatedBy: '/bin/sh -c #(nop)  CMD ["sh"]', CreatedSince: expect.stringMatching(/ago$/), ID: '<missing>', Size: '0B' });
    expect((await strata(root, ['history', 'nope'])).stderr).toBe('Error response from daemon: No such image: nope:latest\n');
  });

  it('inspect prints docker-shaped JSON and templates', async () => {
    const t = await layerTar('i', 'inspect me');
    const img = await storeImage(engine, [t], { tags: ['insp:1'], config: { config: { Cmd: ['sh'], Labels: { a: 'b' } }, author: 'me <me@example.com>' } });
    const res = await strata(root, ['image', 'inspect', 'insp:1']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('"Author": "me \\u003cme@example.com\\u003e"');
    const [obj] = JSON.parse(res.stdout) as Record<string, unknown>[];
    expect(Object.keys(obj!)).toEqual(['Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'Container', 'ContainerConfig', 'DockerVersion', 'Author', 'Config', 'Architecture', 'Os', 'Size', 'VirtualSize', 'GraphDriver', 'RootFS', 'Metadata']);
    expect(obj).toMatchObject({ Id: img.id, RepoTags: ['insp:1'], Size: img.size, RootFS: { Type: 'layers', Layers: [engine.images.layers(img.id)[0]!.diffId] } });
    const fmt = await strata(root, ['inspect', '--format', '{{.Id}} {{json .Config}} {{.Config.Cmd}} {{.Os}}', 'insp:1']);
    expect(fmt.stdout).toBe(`${img.id} {"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":["sh"],"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{"a":"b"}} [sh] linux\n`);
    const missing = await strata(root, ['inspect', 'insp:1', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error: No such object: nope\n');
  });

  it('rmi untags, then deletes, and gc removes only layers nothing else uses', async ({ skip }) => {
    if (busyboxMissing()) skip(busyboxMissing());
    const a = await storeImage(engine, [base, await layerTar('a', 'a')], { tags: ['a', 'a2'] });
    const b = await storeImage(engine, [base, await layerTar('b', 'b')], { tags: ['b'] });
    expect((await strata(root, ['rmi', 'a'])).stdout).toBe('Untagged: a:latest\n');
    const top = engine.images.layers(a.id)[1]!.chainId;
    const del = await strata(root, ['image', 'rm', 'a2']);
    // the base layer stays (b uses it): only the top layer is named, by chain ID, as docker does
    expect(del.stdout).toBe(`Untagged: a2:latest\nDeleted: ${a.id}\nDeleted: ${top}\n`);
    const layersLeft = (engine.db.prepare('SELECT diff_id FROM layers ORDER BY diff_id').all() as { diff_id: string }[]).map((r) => r.diff_id);
    expect(layersLeft).toEqual(engine.images.layers(b.id).map((l) => l.diffId).sort());
    expect((await engine.fsck()).problems).toEqual([]);
    const missing = await strata(root, ['rmi', 'nope']);
    // docker 20.10's client words it itself, as typed.
    expect(missing).toMatchObject({ code: 1, stderr: 'Error: No such image: nope\n' });
    expect((await strata(root, ['rmi', '-f', 'nope'])).code).toBe(0);
  });

  it('image prune removes dangling images (and with -a unused ones) and reports the space', async () => {
    const old = await storeImage(engine, [await layerTar('o', 'old')], { tags: ['app'] });
    const neu = await storeImage(engine, [await layerTar('n', 'new')], { tags: ['app'] });
    // docker's classic table lists the dangling image as a <none> row
    expect((await strata(root, ['images', '-q', '--no-trunc'])).stdout).toBe(`${neu.id}\n${old.id}\n`);
    expect((await strata(root, ['images', '--format', '{{.Repository}} {{.Tag}}'])).stdout).toBe('app latest\n<none> <none>\n');
    expect((await strata(root, ['images', '-q', '--no-trunc', '-f', 'dangling=true'])).stdout).toBe(`${old.id}\n`);
    expect((await strata(root, ['images', '-q', '--no-trunc', '-f', 'dangling=false'])).stdout).toBe(`${neu.id}\n`);
    const cancelled = await strata(root, ['image', 'prune'], 'n\n');
    expect(cancelled.stdout).toBe('WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ');
    expect(engine.images.get(old.id)).toBeDefined();
    const res = await strata(root, ['image', 'prune'], 'y\n');
    expect(res.stdout).toMatch(new RegExp(`\\[y/N\\] Deleted Images:\ndeleted: ${old.id}\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: \\d+(\\.\\d+)?k?B\n$`));
    expect(engine.images.get(old.id)).toBeUndefined();
    const all = await strata(root, ['image', 'prune', '-a', '-f']);
    expect(all.stdout).toMatch(new RegExp(`^Deleted Images:\nuntagged: app:latest\ndeleted: ${neu.id}\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: `));
    expect(await engine.content.list()).toEqual([]);
  });
});
