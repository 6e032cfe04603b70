import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { htpasswdMissing, registryMissing, startRegistry, type RunningRegistry } from '../registry/registry-server.ts';
import { tempDir } from '../tmp.ts';
import { suiteName } from '../fixtures/skip.ts';
import { docker, dockerCliMissing, startService, strataCli, type Service } from './service.ts';

const missing = busyboxMissing() ?? dockerCliMissing() ?? registryMissing() ?? htpasswdMissing();

/**
 * docker login, push and pull through `strata system service`, against a real registry that wants
 * credentials: the docker CLI sends them as X-Registry-Auth; the service never stores them.
 */
describe.skipIf(missing)(suiteName('push and pull through the Engine API', missing), () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  let service: Service;
  let registry: RunningRegistry;
  let config: string;
  const cli = (args: string[], input?: string) => docker(service.socket, config, args, input === undefined ? {} : { input: Buffer.from(input) });

  beforeAll(async () => {
    dir = tempDir('strata-api-registry-');
    root = join(dir.path, 'store');
    config = join(dir.path, 'docker-config');
    mkdirSync(config);
    await writeBusyboxRootfs(join(dir.path, 'base.tar'));
    const engine = Engine.open({ root });
    try {
      await storeImage(engine, [join(dir.path, 'base.tar')], { tags: ['busybox:latest'] });
    } finally {
      engine.close();
    }
    registry = await startRegistry(join(dir.path, 'registry'), { auth: { user: 'alice', password: 's3cret' } });
    service = await startService(root, join(dir.path, 'run'));
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await registry?.stop();
    dir?.cleanup();
  });

  it('refuses a push without credentials, then logs in, pushes, removes and pulls back', async () => {
    const ref = `${registry.host}/team/busybox:1`;
    expect((await cli(['tag', 'busybox', ref])).code).toBe(0);
    const refused = await cli(['push', ref]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr + refused.stdout).toMatch(/unauthorized|authentication required|no basic auth credentials/i);

    const login = await cli(['login', registry.host, '-u', 'alice', '--password-stdin'], 's3cret\n');
    expect(login.stderr + login.stdout).toContain('Login Succeeded');
    const pushed = await cli(['push', ref]);
    expect(pushed.stderr).toBe('');
    expect(pushed.stdout).toMatch(/1: digest: sha256:[0-9a-f]{64} size: \d+/);

    expect((await cli(['rmi', ref])).stdout).toBe(`Untagged: ${ref}\n`);
    const pulled = await cli(['pull', ref]);
    expect(pulled.stderr).toBe('');
    expect(pulled.stdout.match(/^Status: .*$/gm)).toEqual([`Status: Downloaded newer image for ${ref}`]);
    expect((await cli(['pull', ref])).stdout).toContain(`Status: Image is up to date for ${ref}`);
    expect((await strataCli(root, ['images', '--format', '{{.Repository}}:{{.Tag}}', `${registry.host}/team/busybox`])).stdout).toBe(`${registry.host}/team/busybox:1\n`);
  });
});
