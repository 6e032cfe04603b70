import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Engine } from '../../src/main/engine/engine.ts';
import type { ImageRecord } from '../../src/main/engine/image/image-service.ts';
import { pull } from '../../src/main/engine/registry/pull.ts';
import { push } from '../../src/main/engine/registry/push.ts';
import { DockerConfigCredentialStore } from '../../src/main/engine/registry/credentials.ts';
import { storeImage, writeTar } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { registryMissing, startRegistry, type RunningRegistry } from './registry-server.ts';

/** A non-loopback IPv4 address of this machine: docker does not trust it without being told. */
function lanAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

function opensslMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'openssl is not installed';
  }
}

const lan = lanAddress();
const missing = registryMissing() ?? opensslMissing() ?? (lan ? undefined : 'no non-loopback IPv4 address to serve a registry on');

/**
 * Plain HTTP and self-signed TLS are used only when the user says so (`--insecure`, or
 * `<root>/registries.json`), except for 127.0.0.0/8, which docker trusts by default.
 */
describe('registry: insecure registries', () => {
  let dir: { path: string; cleanup: () => void };
  const registries: RunningRegistry[] = [];
  let engine: Engine;
  let image: ImageRecord;
  let credentials: DockerConfigCredentialStore;

  beforeAll(async () => {
    dir = tempDir();
    if (missing) return;
    engine = Engine.open({ root: join(dir.path, 'store') });
    credentials = new DockerConfigCredentialStore(join(dir.path, 'docker-config'));
    const t = join(dir.path, 'l.tar');
    await writeTar(t, [{ type: 'file', name: 'tls.txt', content: 'self-signed\n' }]);
    image = await storeImage(engine, [t]);
  });
  afterAll(async () => {
    engine?.close();
    for (const r of registries) await r.stop();
    dir.cleanup();
  });

  async function serve(name: string, bind: string, tls: boolean): Promise<RunningRegistry> {
    const r = await startRegistry(join(dir.path, name), { bind, tls });
    registries.push(r);
    return r;
  }

  function tag(ref: string): void {
    engine.images.commit({ configDigest: image.id, configSize: engine.content.size(image.id)!, layers: engine.images.layers(image.id).map((l) => ({ ...l })), tags: [ref] });
  }

  it('refuses a self-signed certificate until the registry is marked insecure', async ({ skip }) => {
    if (missing) skip(missing);
    const r = await serve('tls-lan', lan!, true);
    tag(`${r.host}/tls:1`);
    await expect(push(engine, `${r.host}/tls:1`, { credentials })).rejects.toThrow(
      `Get "https://${r.host}/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    );
    const pushed = await push(engine, `${r.host}/tls:1`, { credentials, insecure: true });
    expect(pushed.pushed).toBe(1);

    // registries.json in the store root says the same as --insecure.
    const dst = Engine.open({ root: join(dir.path, 'dst-tls') });
    try {
      await expect(pull(dst, `${r.host}/tls:1`, { credentials })).rejects.toThrow('x509: certificate signed by unknown authority');
      writeFileSync(join(dst.root, 'registries.json'), JSON.stringify({ insecure: [r.host] }));
      expect((await pull(dst, `${r.host}/tls:1`, { credentials })).image.id).toBe(image.id);
    } finally {
      dst.close();
    }
  });

  it('speaks plain HTTP only to insecure registries, and to 127.0.0.0/8 by default', async ({ skip }) => {
    if (missing) skip(missing);
    const plain = await serve('http-lan', lan!, false);
    tag(`${plain.host}/plain:1`);
    await expect(push(engine, `${plain.host}/plain:1`, { credentials })).rejects.toThrow(
      `Get "https://${plain.host}/v2/": http: server gave HTTP response to HTTPS client`,
    );
    expect((await push(engine, `${plain.host}/plain:1`, { credentials, insecure: true })).pushed).toBe(1);

    const loopbackTls = await serve('tls-loopback', '127.0.0.1', true);
    tag(`${loopbackTls.host}/local:1`);
    expect((await push(engine, `${loopbackTls.host}/local:1`, { credentials })).pushed).toBe(1);
  });
});
