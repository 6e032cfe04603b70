import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs, writeTar } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { suiteName } from '../fixtures/skip.ts';
import { api, docker, dockerCliMissing, NEWER_CLI, startService, strataCli, type Service } from './service.ts';

const missing = busyboxMissing() ?? dockerCliMissing();

/**
 * The docker CLI (20.10, API 1.41) against `strata system service`: it builds its tables from
 * the API's data, so what it prints must equal `strata`'s own output on the same store.
 */
describe.skipIf(missing)(suiteName('the docker CLI against strata system service', missing), () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  let service: Service;
  let config: string;
  const cli = (args: string[]) => docker(service.socket, config, args);

  beforeAll(async () => {
    dir = tempDir('strata-api-');
    root = join(dir.path, 'store');
    config = join(dir.path, 'docker-config');
    mkdirSync(config);
    const base = join(dir.path, 'base.tar');
    const app = join(dir.path, 'app.tar');
    await writeBusyboxRootfs(base);
    await writeTar(app, [{ type: 'dir', name: 'app/' }, { type: 'file', name: 'app/data.bin', content: Buffer.alloc(300_000, 7) }]);
    const engine = Engine.open({ root });
    try {
      await storeImage(engine, [base], { tags: ['busybox:latest'], createdBy: ['/bin/sh -c #(nop) ADD file:busybox in / '] });
      await storeImage(engine, [base, app], {
        tags: ['j-app:v1', 'web:1.0'],
        createdBy: ['/bin/sh -c #(nop) ADD file:busybox in / ', 'COPY data.bin /app/ # buildkit'],
        config: { config: { Env: ['PATH=/bin'], Cmd: ['sh'], Labels: { tier: 'web' } } },
      });
    } finally {
      engine.close();
    }
    service = await startService(root, join(dir.path, 'run'));
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    dir?.cleanup();
  });

  it('serves the socket to its user only: 0600 in a 0700 directory', () => {
    expect(statSync(service.socket).mode & 0o777).toBe(0o600);
    expect(statSync(join(service.socket, '..')).mode & 0o777).toBe(0o700);
  });

  it('answers /_ping (GET and HEAD) with the API version headers, never podman\'s /libpod', async () => {
    const get = await api(service.socket, 'GET', '/_ping');
    expect(get.body).toBe('OK');
    expect(get.headers['api-version']).toBe('1.44');
    expect(get.headers['ostype']).toBe('linux');
    expect(get.headers['builder-version']).toBe('1');
    const head = await api(service.socket, 'HEAD', '/v1.41/_ping');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const libpod = await api(service.socket, 'GET', '/libpod/_ping');
    expect(libpod.status).toBe(404);
  });

  it('refuses unknown endpoints and versions with docker\'s messages', async () => {
    const unknown = await api(service.socket, 'GET', '/v1.41/nothing/here');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({ message: 'page not found' });
    const tooNew = await api(service.socket, 'GET', '/v1.99/images/json');
    expect(tooNew.status).toBe(400);
    expect(JSON.parse(tooNew.body).message).toBe('client version 1.99 is too new. Maximum supported API version is 1.44');
    const badFilter = await api(service.socket, 'GET', '/images/json?filters=%7Bnope');
    expect(badFilter.status).toBe(400);
  });

  it.each([
    [['images']],
    [['images', 'j*']],
    [['image', 'ls', '--filter', 'label=tier=web']],
    [['images', '--filter', 'reference=web']],
    [['images', '-q']],
    [['images', '--no-trunc']],
    [['history', 'j-app:v1']],
    [['history', '--no-trunc', 'busybox']],
    [['system', 'df']],
  ])('docker %j prints what strata prints on the same store', async (args) => {
    const [theirs, ours] = await Promise.all([cli(args), strataCli(root, args)]);
    expect(theirs.stderr).toBe('');
    expect(theirs.code).toBe(0);
    // docker/cli groups an image's rows by repository through a Go map (imageFormatTaggedAndDigest):
    // rows of one image in several repositories come in any order, so image tables compare as sets.
    const rows = (text: string): string[] => (args[0] === 'images' || args[1] === 'ls' ? text.split('\n').sort() : text.split('\n'));
    expect(rows(theirs.stdout)).toEqual(rows(ours.stdout));
  });

  // docker 20.10 prints `system df -v` sizes with 3 significant digits; docker 23+ (and Strata,
  // after docker/cli's goldens) with 4: compare with the newer CLI where this machine has one.
  it.skipIf(!NEWER_CLI)(suiteName("docker 28's system df -v prints what strata prints", NEWER_CLI ? undefined : 'no newer docker CLI at /usr/local/bin/docker'), async () => {
    const [theirs, ours] = await Promise.all([docker(service.socket, config, ['system', 'df', '-v'], { cli: NEWER_CLI! }), strataCli(root, ['system', 'df', '-v'])]);
    expect(theirs.stderr).toBe('');
    // docker's tables, then Strata's own section: what the store occupies on disk (docs/store.md).
    const [tables, onDisk] = ours.stdout.split('\nStored on disk (');
    expect(onDisk).toMatch(/^what Strata occupies/);
    expect(theirs.stdout).toBe(tables);
  });

  it('inspects images with the store\'s IDs and sizes', async () => {
    const theirs = await cli(['image', 'inspect', 'j-app:v1', '--format', '{{.Id}} {{.Size}} {{json .RepoTags}} {{json .RootFS.Layers}}']);
    const ours = await strataCli(root, ['inspect', 'j-app:v1', '--format', '{{.Id}} {{.Size}} {{json .RepoTags}} {{json .RootFS.Layers}}']);
    expect(theirs.stdout).toBe(ours.stdout);
  });

  it('says No such image as docker does, with its exit status', async () => {
    const r = await cli(['image', 'inspect', 'nope:1']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error: No such image: nope:1');
    const container = await cli(['container', 'inspect', 'nope']);
    expect(container.stderr.trim()).toBe('Error: No such container: nope');
    const rmi = await cli(['rmi', 'nope:1']);
    expect(rmi.code).toBe(1);
    expect(rmi.stderr).toContain('No such image: nope:1');
  });

  it('tags and removes through the API; the store sees it', async () => {
    expect((await cli(['tag', 'busybox', 'localhost/tools:1'])).code).toBe(0);
    expect((await strataCli(root, ['images', '--format', '{{.Repository}}:{{.Tag}}', 'localhost/tools'])).stdout).toBe('localhost/tools:1\n');
    const rmi = await cli(['rmi', 'localhost/tools:1']);
    expect(rmi.stdout).toBe('Untagged: localhost/tools:1\n');
    expect((await strataCli(root, ['images', '-q', 'localhost/tools'])).stdout).toBe('');
  });

  it('saves through docker save and loads it back through docker load', async () => {
    const saved = join(dir.path, 'saved.tar');
    expect((await cli(['save', '-o', saved, 'web:1.0'])).code).toBe(0);
    const listing = execFileSync('tar', ['-tf', saved], { encoding: 'utf8' });
    expect(listing).toContain('manifest.json');
    expect((await cli(['rmi', 'web:1.0'])).stdout).toBe('Untagged: web:1.0\n');
    const loaded = await cli(['load', '-i', saved]);
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout).toBe('Loaded image: web:1.0\n');
    expect((await strataCli(root, ['images', '--format', '{{.Repository}}:{{.Tag}}', 'web'])).stdout).toBe('web:1.0\n');
  });
});
