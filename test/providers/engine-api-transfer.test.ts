import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxMissing, writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd, type DockerResult } from '../fixtures/dockerd.ts';
import { registryMissing, startRegistry, type RunningRegistry } from '../registry/registry-server.ts';
import { strata, type CliResult } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';

/**
 * `strata -H unix://SOCK pull|push|build` against a real dockerd prints what docker 20.10's CLI
 * prints (classic builder, output not a terminal) against the same engine and registry. Where
 * the engine itself is not deterministic (which intermediate layer statuses a pull reports, the
 * IDs of containers and layers a fresh build makes), both sides get the same normalisation.
 */

/**
 * Per-layer lines: only each layer's last status, as a set. The engine drops intermediate statuses
 * as it likes and finishes layers in parallel; the other lines keep their order.
 */
function layersSettled(out: string): string {
  const others: string[] = [];
  const last = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]{12}): /.exec(line);
    if (m) last.set(m[1]!, line);
    else others.push(line);
  }
  return `${others.join('\n')}\n--\n${[...last.values()].sort().join('\n')}`;
}

/** IDs a fresh build makes (containers, layers) numbered by first appearance. */
function numberIds(out: string): string {
  const seen = new Map<string, string>();
  return out.replace(/\b(sha256:)?[0-9a-f]{12,64}\b/g, (id) => {
    if (!seen.has(id)) seen.set(id, `<id${seen.size}>`);
    return seen.get(id)!;
  });
}

const skip = dockerdMissing() ?? busyboxMissing() ?? registryMissing();

describe.skipIf(skip)('pull, push and build through the Engine API provider', () => {
  let d: Dockerd;
  let registry: RunningRegistry;
  let reg: string;
  const tmp = tempDir('strata-provider-transfer-');
  const store = join(tmp.path, 'store');
  let host: string[];
  const savedConfig = process.env.DOCKER_CONFIG;
  const classic = { DOCKER_BUILDKIT: '0' };

  const s = (args: string[]): Promise<CliResult> => strata(store, [...host, ...args]);
  const dk = (args: string[], cwd?: string): Promise<DockerResult> => d.docker(args, { allowFailure: true, env: classic, ...(cwd ? { cwd } : {}) });

  async function expectSame(mine: CliResult, theirs: DockerResult, normalise: (s: string) => string = (x) => x): Promise<void> {
    expect(normalise(mine.stdout)).toBe(normalise(theirs.stdout));
    expect(normalise(mine.stderr)).toBe(normalise(theirs.stderr));
    expect(mine.code).toBe(theirs.code);
  }

  beforeAll(async () => {
    process.env.DOCKER_CONFIG = join(tmp.path, 'docker-config');
    registry = await startRegistry(join(tmp.path, 'registry'));
    reg = registry.host;
    d = await startDockerd();
    host = ['-H', `unix://${d.socket}`];
    const rootfs = join(tmp.path, 'busybox.tar');
    await writeBusyboxRootfs(rootfs);
    await d.docker(['import', rootfs, 'busybox:latest']);
    await d.docker(['tag', 'busybox', `${reg}/bb:1`]);
    await d.docker(['push', `${reg}/bb:1`]);
  }, 120_000);

  afterAll(async () => {
    await d?.stop();
    await registry?.stop();
    if (savedConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedConfig;
    tmp.cleanup();
  });

  it('pull: up to date, quiet, all tags, and the refusals', async () => {
    for (const args of [['pull', `${reg}/bb:1`], ['pull', '-q', `${reg}/bb:1`], ['pull', '-a', `${reg}/bb`], ['image', 'pull', `${reg}/bb:1`]]) {
      await expectSame(await s(args), await dk(args));
    }
    const up = await s(['pull', `${reg}/bb:1`]);
    expect(up.stdout).toBe(`1: Pulling from bb\nDigest: ${up.stdout.split('Digest: ')[1]!.split('\n')[0]}\nStatus: Image is up to date for ${reg}/bb:1\n${reg}/bb:1\n`);
    for (const args of [['pull', `${reg}/bb`], ['pull', `${reg}/nosuch:2`], ['pull', '-a', `${reg}/bb:1`]]) {
      const mine = await s(args);
      await expectSame(mine, await dk(args));
      expect(mine.code).toBe(1);
    }
  });

  it('push then pull of a new image: the layers, the digest, the status', async () => {
    const ctx = join(tmp.path, 'layer-ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY data /data\n');
    writeFileSync(join(ctx, 'data'), 'x'.repeat(5000));
    await d.docker(['build', '--network', 'none', '-t', `${reg}/app:1`, ctx], { env: classic });
    await d.docker(['tag', `${reg}/app:1`, `${reg}/app:2`]);
    const mine = await s(['push', `${reg}/app:1`]);
    expect(mine.stdout).toMatch(/^The push refers to repository \[127\.0\.0\.1:\d+\/app\]\n[0-9a-f]{12}: Preparing\n/);
    expect(mine.stdout).toMatch(/: Pushed\n/);
    // the same image under another tag, by both: every layer is there already
    await expectSame(await s(['push', `${reg}/app:2`]), await dk(['push', `${reg}/app:2`]), layersSettled);
    await expectSame(await s(['push', `${reg}/app:1`]), await dk(['push', `${reg}/app:1`]), layersSettled);
    await expectSame(await s(['push', '-q', `${reg}/app:1`]), await dk(['push', '-q', `${reg}/app:1`]));
    await expectSame(await s(['push', `${reg}/nope:1`]), await dk(['push', `${reg}/nope:1`]));
    // Pull what neither side has: remove, pull with strata, remove, pull with docker.
    await d.docker(['rmi', `${reg}/app:1`, `${reg}/app:2`]);
    const pulled = await s(['pull', `${reg}/app:2`]);
    expect(pulled.stdout).toMatch(/: Pull complete\n/);
    await d.docker(['rmi', `${reg}/app:2`]);
    await expectSame(pulled, await dk(['pull', `${reg}/app:2`]), layersSettled);
  });

  function buildContext(name: string): string {
    const dir = join(tmp.path, name);
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nARG GREETING=hello\nCOPY . /app\nRUN echo $GREETING from the build\nCMD ["sh"]\n');
    writeFileSync(join(dir, 'a.txt'), 'a\n');
    writeFileSync(join(dir, 'sub', `${'long'.repeat(30)}.txt`), 'long name\n');
    writeFileSync(join(dir, 'skip.log'), 'ignored\n');
    writeFileSync(join(dir, '.dockerignore'), '*.log\n');
    symlinkSync('a.txt', join(dir, 'link'));
    return dir;
  }

  it('build: the same output as docker build, cached from docker\'s own build, quiet, with build args', async () => {
    const dir = buildContext('ctx');
    // docker builds first; strata's build of the same context hits docker's cache: identical output.
    const first = await dk(['build', '--network', 'none', '-t', 'app:a', dir]);
    expect(first.code).toBe(0);
    const cachedTheirs = await dk(['build', '--network', 'none', '-t', 'app:a', dir]);
    const cachedMine = await s(['build', '--network', 'none', '-t', 'app:a', dir]);
    await expectSame(cachedMine, cachedTheirs);
    expect(cachedMine.stdout).toMatch(/^Sending build context to Docker daemon  \d+(\.\d+)?kB\r\r\nStep 1\/5 : FROM busybox\n/);
    expect(cachedMine.stdout).toContain('Step 3/5 : COPY . /app\n ---> Using cache\n');
    expect(cachedMine.stdout).toMatch(/Successfully built [0-9a-f]{12}\nSuccessfully tagged app:a\n$/);
    await expectSame(await s(['build', '-q', '--network', 'none', dir]), await dk(['build', '-q', '--network', 'none', dir]));
    await expectSame(await s(['image', 'build', '--network', 'none', '-t', 'app:b', '-t', 'app:c', dir]), await dk(['build', '--network', 'none', '-t', 'app:b', '-t', 'app:c', dir]));
    // A fresh build (no cache, another build arg): the same steps, the IDs the engine chose aside.
    const fresh = ['build', '--network', 'none', '--no-cache', '--build-arg', 'GREETING=bonjour', dir];
    const mine = await s(fresh);
    expect(mine.stdout).toContain('bonjour from the build\n');
    await expectSame(mine, await dk(fresh), numberIds);
  });

  it('build: a failing step exits with its status; quiet shows the output only then; context errors', async () => {
    const dir = join(tmp.path, 'failing');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nRUN echo before && exit 3\n');
    for (const args of [['build', '--network', 'none', dir], ['build', '-q', '--network', 'none', dir]]) {
      const mine = await s(args);
      expect(mine.code).toBe(3);
      expect(mine.stderr).toContain("The command '/bin/sh -c echo before && exit 3' returned a non-zero code: 3\n");
      await expectSame(mine, await dk(args), numberIds);
    }
    for (const args of [['build', '-f', join(dir, 'nosuch'), dir], ['build', join(tmp.path, 'no-dir')], ['build', '--network', 'none', '-f', join(dir, 'Dockerfile'), join(tmp.path, 'ctx')]]) {
      await expectSame(await s(args), await dk(args), numberIds);
    }
    // a Dockerfile outside the context goes in under a random name: the same steps and output
    writeFileSync(join(tmp.path, 'outside.Dockerfile'), 'FROM busybox\nCOPY a.txt /\n');
    const outside = ['build', '--network', 'none', '-f', join(tmp.path, 'outside.Dockerfile'), join(tmp.path, 'ctx')];
    expect((await dk(outside)).code).toBe(0);
    await expectSame(await s(outside), await dk(outside), numberIds);
  });
});
