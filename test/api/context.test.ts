import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { createApiServer, listenUnix } from '../../src/main/api-server/server.ts';
import { defaultSocketPath } from '../../src/main/api-server/socket-path.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';

/**
 * `strata context create strata` (no --docker) registers, in docker's own context store, a context
 * at the service's socket: `docker --context strata images` then reads Strata's store, with Debian's
 * docker CLI (20.10) and the newer one this machine image may carry. PATH holds nothing, so no
 * credential helper is picked up.
 */
const CLIS = ['/usr/bin/docker', '/usr/local/bin/docker'].filter((p) => existsSync(p));
const skip = CLIS.length === 0 ? 'no docker CLI is installed (apt-get install docker.io)' : busyboxMissing();

function docker(cli: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cli, args, { env }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe.skipIf(skip)('the strata docker context', () => {
  const tmp = tempDir('strata-ctx-');
  const root = join(tmp.path, 'store');
  const env = { DOCKER_CONFIG: join(tmp.path, 'docker-config'), XDG_RUNTIME_DIR: join(tmp.path, 'run'), XDG_CONFIG_HOME: join(tmp.path, 'config') };
  const saved: Record<string, string | undefined> = {};
  let engine: Engine;
  let server: Server;

  beforeAll(async () => {
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    engine = Engine.open({ root });
    await writeBusyboxRootfs(join(tmp.path, 'base.tar'));
    await storeImage(engine, [join(tmp.path, 'base.tar')], { tags: ['busybox:latest', 'web-ping:1'] });
    server = createApiServer(engine);
    await listenUnix(server, defaultSocketPath());
  });

  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    engine?.close();
    tmp.cleanup();
  });

  it('is created at the service socket, in docker\'s format', async () => {
    const created = await strata(root, ['context', 'create', 'strata']);
    expect(created).toMatchObject({ code: 0, stdout: 'strata\n', stderr: 'Successfully created context "strata"\n' });
    const meta = JSON.parse(readFileSync(join(env.DOCKER_CONFIG, 'contexts', 'meta', createHash('sha256').update('strata').digest('hex'), 'meta.json'), 'utf8'));
    expect(meta).toEqual({
      Name: 'strata', Metadata: { Description: 'Strata (strata system service)' },
      Endpoints: { docker: { Host: `unix://${join(env.XDG_RUNTIME_DIR, 'strata', 'strata.sock')}`, SkipTLSVerify: false } },
    });
    expect((await strata(root, ['context', 'create', 'strata'])).stderr).toBe('Error: context "strata" already exists\n');
  });

  for (const cli of CLIS) {
    it(`${cli} --context strata images lists Strata's store`, async () => {
      const theirs = await docker(cli, ['--context', 'strata', 'images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}'], { ...env, PATH: '/nonexistent', HOME: tmp.path });
      expect(theirs.stderr).toBe('');
      const mine = await strata(root, ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}']);
      // One image under two repositories: the docker CLI groups its tags in a Go map, so the order of
      // those rows changes from run to run (docker's own output does); the rows themselves must be equal.
      const rows = (s: string): string[] => s.split('\n').sort();
      expect(rows(theirs.stdout)).toEqual(rows(mine.stdout));
      expect(theirs.stdout).toContain('web-ping:1');
      const ls = await docker(cli, ['context', 'ls', '--format', '{{.Name}} {{.DockerEndpoint}}'], { ...env, PATH: '/nonexistent', HOME: tmp.path });
      expect(ls.stdout).toContain(`strata unix://${join(env.XDG_RUNTIME_DIR, 'strata', 'strata.sock')}`);
    });
  }
});
