import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs, writeTar } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { suiteName } from '../fixtures/skip.ts';
import { api, docker, dockerCliMissing, startService, strataCli, type Run, type Service } from './service.ts';

const missing = busyboxMissing() ?? dockerCliMissing() ?? sandboxUnavailable();
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : undefined;
const dockerPy = python
  ? new Promise<boolean>((resolve) => execFile(python, ['-c', 'import docker'], (err) => resolve(!err)))
  : Promise.resolve(false);

function py(script: string, socket: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(python!, ['-c', script], { env: { PATH: process.env.PATH, DOCKER_HOST: `unix://${socket}` }, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `docker build` and docker-py's `images.build` through `strata system service`. */
describe.skipIf(missing)(suiteName('builds through the Engine API', missing), () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  let service: Service;
  let config: string;
  let context: string;
  const cli = (args: string[]) => docker(service.socket, config, args);

  beforeAll(async () => {
    dir = tempDir('strata-api-build-');
    root = join(dir.path, 'store');
    config = join(dir.path, 'docker-config');
    context = join(dir.path, 'web-ping');
    mkdirSync(config);
    mkdirSync(context);
    await writeBusyboxRootfs(join(dir.path, 'base.tar'));
    const engine = Engine.open({ root });
    try {
      await storeImage(engine, [join(dir.path, 'base.tar')], { tags: ['busybox:latest'] });
    } finally {
      engine.close();
    }
    writeFileSync(join(context, 'Dockerfile'), 'FROM busybox\nENV TARGET="blog.sixeyed.com"\nWORKDIR /web-ping\nCOPY app.js .\nRUN echo built > /built.txt\nCMD ["cat", "/web-ping/app.js"]\n');
    writeFileSync(join(context, 'app.js'), 'console.log("v1")\n');
    service = await startService(root, join(dir.path, 'run'));
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    dir?.cleanup();
  });

  it('docker build: steps, a cached rebuild, a one-file change, then the image runs', async () => {
    const first = await cli(['build', '-t', 'web-ping', context]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Step 1/6 : FROM busybox');
    expect(first.stdout).toMatch(/Successfully built [0-9a-f]{12}\nSuccessfully tagged web-ping:latest\n$/);
    const again = await cli(['build', '-t', 'web-ping', context]);
    // Every instruction but FROM (the classic builder prints no "Using cache" for FROM).
    expect(again.stdout.match(/ ---> Using cache/g)?.length).toBe(5);
    expect(again.stdout).toContain('Step 2/6 : ENV TARGET="blog.sixeyed.com"\n ---> Using cache\n');
    expect(again.stdout.match(/Successfully built ([0-9a-f]{12})/)![1]).toBe(first.stdout.match(/Successfully built ([0-9a-f]{12})/)![1]);
    writeFileSync(join(context, 'app.js'), 'console.log("v2")\n');
    const changed = await cli(['build', '-t', 'web-ping', context]);
    expect(changed.stdout).toContain('app.js changed');
    expect((await cli(['run', '--rm', 'web-ping'])).stdout).toBe('console.log("v2")\n');
    const ours = await strataCli(root, ['images', '--format', '{{.ID}}', 'web-ping']);
    expect(changed.stdout).toContain(`Successfully built ${ours.stdout.trim()}`);
  });

  it('a failing RUN ends the stream with docker\'s error and exit status', async () => {
    const bad = join(dir.path, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'Dockerfile'), 'FROM busybox\nRUN echo about to fail && exit 3\n');
    const r = await cli(['build', bad]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('about to fail');
    expect(r.stderr).toMatch(/exit code: 3|returned a non-zero code: 3/);
  });

  it('refuses a hostile context tar without writing outside its own directory', async () => {
    const victim = join(dir.path, 'victim');
    mkdirSync(victim);
    const hostile = join(dir.path, 'hostile.tar');
    await writeTar(hostile, [
      { type: 'file', name: 'Dockerfile', content: 'FROM busybox\n' },
      { type: 'symlink', name: 'escape', target: victim },
      { type: 'dir', name: 'escape' },
      { type: 'file', name: 'escape/pwned', content: 'x' },
    ]);
    const r1 = await api(service.socket, 'POST', '/v1.41/build', readFileSync(hostile), { 'Content-Type': 'application/x-tar' });
    expect(existsSync(join(victim, 'pwned'))).toBe(false);
    const traversal = join(dir.path, 'traversal.tar');
    await writeTar(traversal, [{ type: 'file', name: '../../evil', content: 'x' }]);
    const r2 = await api(service.socket, 'POST', '/v1.41/build', readFileSync(traversal), { 'Content-Type': 'application/x-tar' });
    expect(r2.status).toBe(400);
    expect(JSON.parse(r2.body).message).toContain('escapes the root');
    // The service keeps serving after both.
    expect((await api(service.socket, 'GET', '/_ping')).body).toBe('OK');
    expect([200, 400]).toContain(r1.status);
  });

  it('docker-py: images.build and images.list', async (ctx) => {
    if (!(await dockerPy)) ctx.skip('python3-docker is not installed (apt-get install python3-docker)');
    const script = [
      'import docker, sys',
      'c = docker.from_env()',
      `img, logs = c.images.build(path=${JSON.stringify(context)}, tag="py-built:1")`,
      'print(img.id)',
      'print(sorted(t for i in c.images.list() for t in i.tags))',
      'print(c.containers.run("py-built:1", remove=True).decode(), end="")',
    ].join('\n');
    const r = await py(script, service.socket);
    expect(r.stderr).toBe('');
    const [id, tags, output] = r.stdout.split('\n');
    expect(id).toBe((await strataCli(root, ['inspect', 'py-built:1', '--format', '{{.Id}}'])).stdout.trim());
    expect(tags).toContain("'py-built:1'");
    expect(tags).toContain("'web-ping:latest'");
    expect(output).toBe('console.log("v2")');
  });
});
