import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { strata } from '../cli/run.ts';
import { repoRoot } from '../paths.ts';
import { tempDir } from '../tmp.ts';

/**
 * `strata system service` on TCP only with TLS client certificates, named as dockerd names them
 * (--tlsverify --tlscacert --tlscert --tlskey). A throwaway CA made with openssl signs the server's
 * and a client's certificates; the docker CLI with the client's reads the store, one without a
 * certificate or with another CA's is refused in the handshake, and plain TCP is refused up front.
 */
const DOCKER = '/usr/bin/docker';
const skip = !existsSync(DOCKER) ? 'the docker CLI is not installed (apt-get install docker.io)' : !existsSync('/usr/bin/openssl') ? 'openssl is not installed' : busyboxMissing();

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { PATH: '/nonexistent', ...env } }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** A CA, and a certificate it signs for `cn` (server: for 127.0.0.1; client: for client auth). */
function makeCa(dir: string, name: string): { ca: string; sign(cn: string, usage: 'serverAuth' | 'clientAuth'): { cert: string; key: string } } {
  const ossl = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ossl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}-ca-key.pem`, '-out', `${name}-ca.pem`, '-days', '1', '-subj', `/CN=${name} test CA`]);
  return {
    ca: join(dir, `${name}-ca.pem`),
    sign(cn, usage) {
      const base = `${name}-${cn}-${usage}`;
      ossl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${base}-key.pem`, '-out', `${base}.csr`, '-subj', `/CN=${cn}`]);
      writeFileSync(join(dir, `${base}.ext`), `${usage === 'serverAuth' ? 'subjectAltName=IP:127.0.0.1\n' : ''}extendedKeyUsage=${usage}\n`);
      ossl(['x509', '-req', '-in', `${base}.csr`, '-CA', `${name}-ca.pem`, '-CAkey', `${name}-ca-key.pem`, '-CAcreateserial', '-out', `${base}.pem`, '-days', '1', '-extfile', `${base}.ext`]);
      return { cert: join(dir, `${base}.pem`), key: join(dir, `${base}-key.pem`) };
    },
  };
}

describe.skipIf(skip)('the API service on TCP with TLS client certificates', () => {
  const tmp = tempDir('strata-tls-');
  const root = join(tmp.path, 'store');
  let service: ChildProcess | undefined;
  let address = '';
  let ca: ReturnType<typeof makeCa>;
  let client: { cert: string; key: string };

  beforeAll(async () => {
    const engine = Engine.open({ root });
    await writeBusyboxRootfs(join(tmp.path, 'base.tar'));
    await storeImage(engine, [join(tmp.path, 'base.tar')], { tags: ['busybox:latest'] });
    engine.close();
    ca = makeCa(tmp.path, 'good');
    const server = ca.sign('127.0.0.1', 'serverAuth');
    client = ca.sign('client', 'clientAuth');
    service = spawn(join(repoRoot, 'bin/strata'), ['--root', root, 'system', 'service', '--tlsverify', '--tlscacert', ca.ca, '--tlscert', server.cert, '--tlskey', server.key, 'tcp://127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    address = await new Promise<string>((resolve, reject) => {
      let err = '';
      service!.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /listening on "(tcp:\/\/127\.0\.0\.1:\d+)"/.exec(err);
        if (m) resolve(m[1]!);
      });
      service!.once('exit', () => reject(new Error(`the service exited: ${err}`)));
    });
  }, 60_000);

  afterAll(async () => {
    if (service && service.exitCode === null) {
      const exited = new Promise((r) => service!.once('exit', r));
      service.kill('SIGTERM');
      await exited;
    }
    tmp.cleanup();
  });

  it('serves the docker CLI that shows a certificate the CA signed', async () => {
    const theirs = await run(DOCKER, ['-H', address, '--tlsverify', '--tlscacert', ca.ca, '--tlscert', client.cert, '--tlskey', client.key, 'images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'], { HOME: tmp.path, DOCKER_CONFIG: join(tmp.path, 'cfg') });
    expect(theirs.stderr).toBe('');
    // rows compared as a set: the docker CLI orders one image's repositories by Go map iteration
    const sorted = (text: string): string[] => text.split('\n').sort();
    expect(sorted(theirs.stdout)).toEqual(sorted((await strata(root, ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout));
    expect(theirs.stdout).toContain('busybox:latest');
  });

  it('refuses a client without a certificate, or with another CA\'s', async () => {
    const env = { HOME: tmp.path, DOCKER_CONFIG: join(tmp.path, 'cfg') };
    const none = await run(DOCKER, ['-H', address, '--tlsverify', '--tlscacert', ca.ca, 'images'], env);
    expect(none.code).not.toBe(0);
    const other = makeCa(tmp.path, 'rogue').sign('client', 'clientAuth');
    const rogue = await run(DOCKER, ['-H', address, '--tlsverify', '--tlscacert', ca.ca, '--tlscert', other.cert, '--tlskey', other.key, 'images'], env);
    expect(rogue.code).not.toBe(0);
    expect(rogue.stdout).toBe('');
    // Plain HTTP to the TLS port gets nothing from the API.
    const plain = await run(DOCKER, ['-H', address, 'images'], env);
    expect(plain.code).not.toBe(0);
    expect(plain.stdout).toBe('');
  });

  it('plain TCP is refused with what to pass instead', async () => {
    const r = await strata(root, ['system', 'service', 'tcp://127.0.0.1:0']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('TCP is served only with TLS client certificates: pass --tlsverify --tlscacert CA.pem --tlscert CERT.pem --tlskey KEY.pem');
    const half = await strata(root, ['system', 'service', '--tlsverify', '--tlscacert', ca.ca, 'tcp://127.0.0.1:0']);
    expect(half.stderr).toContain('TCP is served only with TLS client certificates');
  });
});
