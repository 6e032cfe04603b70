import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs, writeTar } from '../fixtures/busybox.ts';
import { DOCKER } from '../fixtures/dockerd.ts';
import { strata } from '../cli/run.ts';
import { probe } from '../../src/main/providers/engine-api/provider.ts';

/**
 * Podman's Docker-compatible API (`podman system service`) on a private socket and storage: the
 * docker CLI and `strata -H` read the same engine and print the same images, history and inspect.
 */
const PODMAN = ['/usr/bin/podman', '/usr/local/bin/podman'].find((p) => existsSync(p));
const skip = !PODMAN ? 'podman is not installed (apt-get install podman)' : !existsSync(DOCKER) ? 'the docker CLI is not installed' : process.getuid?.() !== 0 ? 'the podman service test runs as root' : busyboxMissing();

function docker(socket: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(DOCKER, ['-H', `unix://${socket}`, ...args], { env: { ...process.env, DOCKER_CONFIG: '/nonexistent' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe.skipIf(skip)('Engine API provider against podman system service', () => {
  let dir: string;
  let socket: string;
  let service: ChildProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync('/tmp/pdm-');
    socket = join(dir, 'p.sock');
    service = spawn(PODMAN!, ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs', 'system', 'service', '--time', '0', `unix://${socket}`], { stdio: 'ignore' });
    // Generous: on a loaded 2-core machine podman's first start (storage set-up) can take long.
    const deadline = Date.now() + 90_000;
    while ((await probe({ host: `unix://${socket}` }, 3000)).state !== 'reachable') {
      if (Date.now() > deadline || service.exitCode !== null) throw new Error(`podman system service did not start (exit code ${service.exitCode})`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const engine = Engine.open({ root: join(dir, 'source') });
    try {
      const base = join(dir, 'base.tar');
      await writeBusyboxRootfs(base);
      const small = join(dir, 'small.tar');
      await writeTar(small, [{ type: 'file', name: 'hello.txt', content: 'hello\n' }]);
      await storeImage(engine, [base, small], { tags: ['app:1'], config: { created: '2024-02-01T00:00:00Z', history: [{ created: '2024-01-01T00:00:00Z', created_by: 'ADD rootfs' }, { created: '2024-02-01T00:00:00Z', created_by: 'COPY hello.txt /' }] } });
    } finally {
      engine.close();
    }
    const archive = join(dir, 'app.tar');
    expect((await strata(join(dir, 'source'), ['save', '-o', archive, 'app:1'])).code).toBe(0);
    // Loaded through the provider itself: podman answers docker's /images/load.
    const loaded = await strata(join(dir, 'source'), ['-H', `unix://${socket}`, 'load', '-i', archive]);
    expect(loaded.code, loaded.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    if (service && service.exitCode === null) {
      await new Promise<void>((resolve) => {
        service!.once('exit', () => resolve());
        service!.kill('SIGTERM');
      });
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports itself as a 1.41 engine', async () => {
    expect(await probe({ host: `unix://${socket}` })).toMatchObject({ state: 'reachable', apiVersion: '1.41' });
  });

  for (const args of [['images'], ['images', '--no-trunc'], ['images', '-q'], ['history', 'app:1'], ['history', '--no-trunc', 'app:1'], ['image', 'inspect', 'app:1'], ['image', 'inspect', '-f', '{{.Id}} {{.Size}}', 'app:1']]) {
    it(`strata -H … ${args.join(' ')} prints what the docker CLI prints`, async () => {
      const theirs = await docker(socket, args);
      const mine = await strata(join(dir, 'source'), ['-H', `unix://${socket}`, ...args]);
      expect(mine.stdout).toBe(theirs.stdout);
      expect(mine.code).toBe(theirs.code);
      expect(mine.stdout.length).toBeGreaterThan(12);
    });
  }
});
