import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { suiteName } from '../fixtures/skip.ts';
import { startService, strataCli, type Run, type Service } from './service.ts';

const COMPOSE = ['/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].find((p) => existsSync(p));
const missing = busyboxMissing() ?? sandboxUnavailable() ?? (COMPOSE ? undefined : 'docker-compose is not installed (apt-get install docker-compose)');

/** docker-compose (1.29, docker-py) drives a two-service project with a build through the service. */
describe.skipIf(missing)(suiteName('docker-compose against strata system service', missing), () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  let project: string;
  let service: Service;
  const compose = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(COMPOSE!, ['--no-ansi', ...args], { cwd: project, env: { PATH: process.env.PATH, HOME: dir.path, DOCKER_HOST: `unix://${service.socket}` }, encoding: 'utf8' }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    dir = tempDir('strata-api-compose-');
    root = join(dir.path, 'store');
    project = join(dir.path, 'shop');
    mkdirSync(join(project, 'web'), { recursive: true });
    await writeBusyboxRootfs(join(dir.path, 'base.tar'));
    const engine = Engine.open({ root });
    try {
      await storeImage(engine, [join(dir.path, 'base.tar')], { tags: ['busybox:latest'] });
    } finally {
      engine.close();
    }
    writeFileSync(join(project, 'docker-compose.yml'), [
      'version: "3.7"',
      'services:',
      '  web:',
      '    build: ./web',
      '    image: shop-web:1',
      '    environment:',
      '      - GREETING=hello',
      '  worker:',
      '    image: busybox',
      '    command: ["sh", "-c", "echo worker up; exec sleep 60"]',
      '',
    ].join('\n'));
    writeFileSync(join(project, 'web', 'Dockerfile'), 'FROM busybox\nCMD ["sh", "-c", "echo $GREETING from web; exec sleep 60"]\n');
    service = await startService(root, join(dir.path, 'run'));
  }, 60_000);

  afterAll(async () => {
    if (service) await compose(['down', '-t', '1']);
    await service?.stop();
    dir?.cleanup();
  });

  it('up -d builds and starts both services; ps, logs and down work', async () => {
    const up = await compose(['up', '-d']);
    expect(up.code).toBe(0);
    expect(up.stderr).toContain('Creating network "shop_default" with the default driver');
    const ps = await compose(['ps']);
    expect(ps.stdout.match(/^shop_\w+_1 .*Up/gm)?.length).toBe(2);
    await new Promise((r) => setTimeout(r, 500));
    const logs = await compose(['logs', '--no-color']);
    expect(logs.stdout).toMatch(/web_1 +\| hello from web/);
    expect(logs.stdout).toMatch(/worker_1 +\| worker up/);
    expect((await strataCli(root, ['images', '--format', '{{.Repository}}:{{.Tag}}', 'shop-web'])).stdout).toBe('shop-web:1\n');
    const down = await compose(['down', '-t', '1']);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain('Removing network shop_default');
    expect((await strataCli(root, ['ps', '-a', '-q'])).stdout).toBe('');
  });
});
