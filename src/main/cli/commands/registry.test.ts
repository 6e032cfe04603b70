import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../main.ts';
import { Engine } from '../../engine/engine.ts';
import { shortId } from '../../../shared/format.ts';
import { progressBar, progressRenderer } from './registry.ts';
import { storeImage, writeBusyboxRootfs, writeTar, busyboxMissing } from '../../../../test/fixtures/busybox.ts';
import { tempDir } from '../../../../test/tmp.ts';
import { passHelperMissing, passStore } from '../../../../test/fixtures/credential-helpers.ts';
import { htpasswdMissing, registryMissing, startRegistry, type RunningRegistry } from '../../../../test/registry/registry-server.ts';

/** Runs the CLI in-process with captured, non-terminal output. */
async function cli(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => { out += c.toString(); });
  stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const code = await main(argv, { stdout, stderr, stdin: Readable.from([stdin]) });
  return { code, out, err };
}

/** The blobs an image's layers are stored as now (after a push, their compressed forms). */
function storedBlobs(root: string, imageId: string): string[] {
  const engine = Engine.open({ root });
  try {
    return engine.images.layers(imageId).map((l) => l.blobDigest);
  } finally {
    engine.close();
  }
}

describe('progress display', () => {
  it('prints plain status lines without byte counts when not on a terminal', () => {
    let text = '';
    const sink = progressRenderer({ write: (s: string) => { text += s; return true; } } as never);
    sink({ id: '', status: 'latest: Pulling from library/busybox' });
    sink({ id: 'abc', status: 'Pulling fs layer' });
    sink({ id: 'abc', status: 'Downloading', current: 10, total: 100 });
    sink({ id: 'abc', status: 'Download complete' });
    expect(text).toBe('latest: Pulling from library/busybox\nabc: Pulling fs layer\nabc: Download complete\n');
  });

  it('draws docker\'s bar on wide terminals and rewrites each layer\'s line in place', () => {
    expect(progressBar(50, 100, 120, 0, 0)).toBe(`[${'='.repeat(25)}>${' '.repeat(25)}]      50B/100B 0s`);
    expect(progressBar(2_100_000, 2_100_000, 80, 0, 0)).toBe('   2.1MB/2.1MB');
    let text = '';
    const sink = progressRenderer({ isTTY: true, columns: 80, write: (s: string) => { text += s; return true; } } as never);
    sink({ id: 'a', status: 'Pulling fs layer' });
    sink({ id: 'b', status: 'Pulling fs layer' });
    sink({ id: 'a', status: 'Pull complete' });
    expect(text).toBe(
      '\n\x1b[1A\x1b[2K\ra: Pulling fs layer\r\x1b[1B' +
        '\n\x1b[1A\x1b[2K\rb: Pulling fs layer\r\x1b[1B' +
        '\x1b[2A\x1b[2K\ra: Pull complete\r\x1b[2B',
    );
  });
});

describe('strata pull / push / login / logout', () => {
  const unavailable = registryMissing() ?? busyboxMissing() ?? htpasswdMissing();
  let dir: { path: string; cleanup: () => void };
  let registry: RunningRegistry;
  const savedDockerConfig = process.env.DOCKER_CONFIG;

  beforeAll(async () => {
    dir = tempDir();
    process.env.DOCKER_CONFIG = join(dir.path, 'docker-config');
    if (unavailable) return;
    registry = await startRegistry(join(dir.path, 'registry'), { auth: { user: 'ci', password: 'pa ss' } });
  });
  afterAll(async () => {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    await registry?.stop();
    dir.cleanup();
  });

  it('logs in from stdin, pushes, pulls with docker\'s output, and logs out', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const root = join(dir.path, 'store');
    const engine = Engine.open({ root });
    const base = join(dir.path, 'base.tar');
    const top = join(dir.path, 'top.tar');
    await writeBusyboxRootfs(base);
    await writeTar(top, [{ type: 'file', name: 'cli.txt', content: 'cli\n' }]);
    const img = await storeImage(engine, [base, top], { tags: [`${registry.host}/cli/app`] });
    const [baseBlob, topBlob] = engine.images.layers(img.id).map((l) => l.blobDigest) as [string, string];
    engine.close();

    const denied = await cli(['--root', root, 'push', `${registry.host}/cli/app`]);
    expect(denied.code).toBe(1);
    // docker's push streams its failure; the CLI prints the message as it came.
    expect(denied.err).toBe('no basic auth credentials\n');

    const bad = await cli(['--root', root, 'login', '-u', 'ci', '--password-stdin', registry.host], 'wrong\n');
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(`Error: login attempt to http://${registry.host}/v2/ failed with status: 401 Unauthorized\n`);

    const ok = await cli(['--root', root, 'login', '-u', 'ci', '--password-stdin', registry.host], 'pa ss\n');
    expect(ok).toMatchObject({ code: 0, out: 'Login Succeeded\n' });
    expect(ok.err).toContain(`WARNING! Your password will be stored unencrypted in ${join(dir.path, 'docker-config', 'config.json')}.`);
    expect(ok.err).not.toContain('pa ss');

    const pushed = await cli(['--root', root, 'push', `${registry.host}/cli/app`]);
    expect(pushed.code).toBe(0);
    const pushLines = pushed.out.trimEnd().split('\n');
    expect(pushLines.slice(0, 4)).toEqual([
      'Using default tag: latest',
      `The push refers to repository [${registry.host}/cli/app]`,
      `${shortId(topBlob)}: Preparing`,
      `${shortId(baseBlob)}: Preparing`,
    ]);
    expect(pushLines.slice(4, 6).sort()).toEqual([`${shortId(baseBlob)}: Pushed`, `${shortId(topBlob)}: Pushed`].sort());
    expect(pushLines[6]).toMatch(/^latest: digest: sha256:[0-9a-f]{64} size: \d+$/);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushLines[6]!)![1]!;

    // A pull names layers by the blobs the registry holds: the gzip forms the push made (and the
    // store kept in place of the plain tars); a push names them by diff ID, as docker does.
    const [baseGz, topGz] = storedBlobs(root, img.id);
    expect(baseGz).not.toBe(baseBlob);
    const fresh = join(dir.path, 'fresh');
    const pulled = await cli(['--root', fresh, 'image', 'pull', `${registry.host}/cli/app`]);
    expect(pulled.code).toBe(0);
    const pullLines = pulled.out.trimEnd().split('\n');
    expect(pullLines.slice(0, 4)).toEqual([
      'Using default tag: latest',
      'latest: Pulling from cli/app',
      `${shortId(baseGz)}: Pulling fs layer`,
      `${shortId(topGz)}: Pulling fs layer`,
    ]);
    expect(pullLines).toEqual(expect.arrayContaining([
      `${shortId(baseGz)}: Verifying Checksum`, `${shortId(baseGz)}: Download complete`, `${shortId(baseGz)}: Pull complete`,
      `${shortId(topGz)}: Pull complete`,
    ]));
    expect(pullLines.slice(-3)).toEqual([
      `Digest: ${digest}`,
      `Status: Downloaded newer image for ${registry.host}/cli/app:latest`,
      `${registry.host}/cli/app:latest`,
    ]);

    const quiet = await cli(['--root', fresh, 'pull', '-q', `${registry.host}/cli/app:latest`]);
    expect(quiet).toMatchObject({ code: 0, out: `${registry.host}/cli/app:latest\n` });

    const out = await cli(['logout', registry.host]);
    expect(out.out).toBe(`Removing login credentials for ${registry.host}\n`);
    expect(JSON.parse(readFileSync(join(dir.path, 'docker-config', 'config.json'), 'utf8'))).toEqual({ auths: {} });
    expect((await cli(['logout', registry.host])).out).toBe(`Not logged in to ${registry.host}\n`);
    expect(existsSync(join(fresh, 'strata.db'))).toBe(true);
  });

  it('keeps the password in the credsStore helper (real docker-credential-pass): no plaintext warning, push and pull use it', async ({ skip }) => {
    const why = unavailable ?? passHelperMissing();
    if (why) skip(why);
    const saved = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, GNUPGHOME: process.env.GNUPGHOME, PASSWORD_STORE_DIR: process.env.PASSWORD_STORE_DIR };
    const pass = passStore(dir.path);
    const configDir = join(dir.path, 'helper-config');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ credsStore: 'pass' }));
    Object.assign(process.env, { DOCKER_CONFIG: configDir, GNUPGHOME: pass.env.GNUPGHOME, PASSWORD_STORE_DIR: pass.env.PASSWORD_STORE_DIR });
    try {
      const root = join(dir.path, 'helper-store');
      const engine = Engine.open({ root });
      const layer = join(dir.path, 'helper.tar');
      await writeTar(layer, [{ type: 'file', name: 'helper.txt', content: 'kept by pass\n' }]);
      const img = await storeImage(engine, [layer], { tags: [`${registry.host}/cli/helper`] });
      engine.close();

      const ok = await cli(['--root', root, 'login', '-u', 'ci', '--password-stdin', registry.host], 'pa ss\n');
      expect(ok).toEqual({ code: 0, out: 'Login Succeeded\n', err: '' });
      expect(JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8'))).toEqual({ credsStore: 'pass', auths: { [registry.host]: {} } });
      expect((await cli(['--root', root, 'push', '-q', `${registry.host}/cli/helper`])).code).toBe(0);
      const fresh = join(dir.path, 'helper-fresh');
      expect(await cli(['--root', fresh, 'pull', '-q', `${registry.host}/cli/helper`])).toMatchObject({ code: 0, out: `${registry.host}/cli/helper:latest\n` });
      expect((await cli(['--root', fresh, 'images', '-q', '--no-trunc'])).out).toBe(`${img.id}\n`);

      expect((await cli(['logout', registry.host])).out).toBe(`Removing login credentials for ${registry.host}\n`);
      const denied = await cli(['--root', fresh, 'pull', '-q', `${registry.host}/cli/helper`]);
      expect(denied).toMatchObject({ code: 1, err: 'Error response from daemon: no basic auth credentials\n' });
    } finally {
      pass.stop();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('push --all-tags and pull --all-tags move every tag of a repository, like docker', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const root = join(dir.path, 'multi-store');
    const engine = Engine.open({ root });
    const [l1, l2] = [join(dir.path, 'm1.tar'), join(dir.path, 'm2.tar')];
    await writeTar(l1, [{ type: 'file', name: 'one.txt', content: 'one\n' }]);
    await writeTar(l2, [{ type: 'file', name: 'two.txt', content: 'two\n' }]);
    const repo = `${registry.host}/cli/multi`;
    const first = await storeImage(engine, [l1], { tags: [`${repo}:1`] });
    const second = await storeImage(engine, [l1, l2], { tags: [`${repo}:2`, `${registry.host}/cli/multi-other:x`] });
    const [shared, top] = engine.images.layers(second.id).map((l) => shortId(l.blobDigest)) as [string, string];
    engine.close();
    expect((await cli(['--root', root, 'login', '-u', 'ci', '--password-stdin', registry.host], 'pa ss\n')).code).toBe(0);

    expect(await cli(['--root', root, 'push', '-a', `${repo}:1`])).toMatchObject({ code: 1, err: "Error: tag can't be used with --all-tags/-a\n" });
    const pushed = await cli(['--root', root, 'push', '--all-tags', repo]);
    expect(pushed.code).toBe(0);
    const pushLines = pushed.out.trimEnd().split('\n');
    expect(pushLines.filter((l) => l.startsWith('The push refers to repository'))).toEqual([`The push refers to repository [${repo}]`]);
    expect(pushLines.filter((l) => / digest: /.test(l)).map((l) => l.split(':')[0])).toEqual(['1', '2']);
    expect(pushLines).toContain(`${shared}: Layer already exists`); // pushed with tag 1 just before
    expect(pushLines).toContain(`${top}: Pushed`);
    expect(pushed.out).not.toContain('multi-other');

    const fresh = join(dir.path, 'multi-fresh');
    const pulled = await cli(['--root', fresh, 'pull', '-a', repo]);
    expect(pulled.code).toBe(0);
    const pullLines = pulled.out.trimEnd().split('\n');
    // In the registry's order (distribution's is not sorted); the second tag finds the shared layer.
    expect(pullLines[0]).toMatch(/^[12]: Pulling from cli\/multi$/);
    expect(pullLines.filter((l) => / Pulling from /.test(l)).sort()).toEqual(['1: Pulling from cli/multi', '2: Pulling from cli/multi']);
    expect(pullLines).toContain(`${shortId(storedBlobs(root, second.id)[0]!)}: Already exists`);
    expect(pullLines.filter((l) => l.startsWith('Digest: '))).toHaveLength(2);
    expect(pullLines.slice(-2)).toEqual([`Status: Downloaded newer image for ${repo}`, repo]);
    const listed = await cli(['--root', fresh, 'images', '--format', '{{.Tag}} {{.ID}}', repo]);
    expect(listed.out.trimEnd().split('\n').sort()).toEqual([`1 ${shortId(first.id)}`, `2 ${shortId(second.id)}`]);
    expect((await cli(['--root', fresh, 'pull', '-a', '-q', repo])).out).toBe(`${repo}\n`);
    const again = await cli(['--root', fresh, 'pull', '-a', repo]);
    expect(again.out.trimEnd().split('\n').slice(-2)).toEqual([`Status: Image is up to date for ${repo}`, repo]);
    expect(await cli(['--root', fresh, 'pull', '-a', `${registry.host}/cli/none`])).toMatchObject({ code: 1 });
    expect((await cli(['logout', registry.host])).code).toBe(0);
  });
});
