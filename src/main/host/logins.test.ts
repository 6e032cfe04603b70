import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.ts';
import { DockerConfigCredentialStore, SealedCredentialStore } from '../engine/registry/index.ts';
import { createHandlers } from './handlers.ts';
import { HostSession } from './session.ts';
import type { Envelope, RegistryLogins } from '../../shared/contract.ts';
import { aesSealer } from '../../../test/fixtures/sealer.ts';
import { tempDir } from '../../../test/tmp.ts';
import { scriptHelper, withPath } from '../../../test/fixtures/credential-helpers.ts';
import { storeImage, writeTar } from '../../../test/fixtures/busybox.ts';
import { htpasswdMissing, registryMissing, startRegistry, type RunningRegistry } from '../../../test/registry/registry-server.ts';

const USER = 'ci-user';
const PASSWORD = 'Pa55-w0rd:with spaces';
const WRONG = 'wrong-Secret-42';

/** Every spelling of the secret that would give it away on disk or on the wire. */
function leaks(text: string, password: string): boolean {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return [password, b64(password), b64(`${USER}:${password}`), JSON.stringify(password).slice(1, -1)].some((s) => text.includes(s));
}

describe('registry login through the host handlers (sealed store, real registry with htpasswd)', () => {
  const tmp = tempDir();
  const file = join(tmp.path, 'user-data', 'registry-credentials.json');
  let registry: RunningRegistry | undefined;
  let engine: Engine;
  let session: HostSession;
  let unavailable: string | undefined;
  let ref = '';

  beforeAll(async () => {
    unavailable = registryMissing() ?? htpasswdMissing();
    if (unavailable) return;
    registry = await startRegistry(join(tmp.path, 'registry'), { auth: { user: USER, password: PASSWORD } });
    engine = Engine.open({ root: join(tmp.path, 'store') });
    ref = `${registry.host}/tools/app:1`;
    await writeTar(join(tmp.path, 'layer.tar'), [{ type: 'file', name: 'hello.txt', content: 'hello from strata\n' }]);
    await storeImage(engine, [join(tmp.path, 'layer.tar')], { tags: [ref] });
    const handlers = createHandlers(engine, { host: 'electron', credentials: new SealedCredentialStore(file, aesSealer()) });
    session = new HostSession(handlers, () => {});
  });

  afterAll(async () => {
    session?.dispose();
    engine?.close();
    await registry?.stop();
    tmp.cleanup();
  });

  let streams = 0;
  const stream = (name: string, params: unknown): Promise<Envelope<unknown>> => session.stream(`t${++streams}`, name, params);
  const logins = async (): Promise<RegistryLogins> => {
    const env = await session.invoke('registry.logins', {});
    if (!env.ok) throw new Error(env.error.message);
    return env.value as RegistryLogins;
  };

  it('push without a login fails with an unauthorized error', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const env = await stream('images.push', { ref });
    expect(env.ok).toBe(false);
    if (!env.ok) expect(env.error.code).toBe('unauthorized');
    expect((await logins()).logins).toEqual([]);
  });

  it('a wrong password is refused by the registry, never echoed, and nothing is stored', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const env = await session.invoke('registry.login', { registry: registry!.host, username: USER, password: WRONG });
    expect(env).toEqual({ ok: false, error: { code: 'unauthorized', message: `login attempt to http://${registry!.host}/v2/ failed with status: 401 Unauthorized` } });
    expect(JSON.stringify(env)).not.toContain(WRONG);
    expect(existsSync(file)).toBe(false);
  });

  it('logs in, keeps the password sealed on disk, lists only registry and user, then pushes and pulls', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const env = await session.invoke('registry.login', { registry: `http://${registry!.host}/v2/`, username: USER, password: PASSWORD });
    expect(env).toEqual({ ok: true, value: { registry: registry!.host } });
    const onDisk = readFileSync(file, 'utf8');
    expect(leaks(onDisk, PASSWORD)).toBe(false);
    expect(onDisk).not.toContain(USER);
    expect(Object.keys((JSON.parse(onDisk) as { auths: object }).auths)).toEqual([registry!.host]);

    const listed = await logins();
    expect(listed).toEqual({ storage: 'sealed', location: file, logins: [{ registry: registry!.host, username: USER }] });
    expect(leaks(JSON.stringify(listed), PASSWORD)).toBe(false);

    expect(await stream('images.push', { ref })).toEqual({ ok: true, value: null });
    expect((await session.invoke('images.remove', { refs: [ref], force: false })).ok).toBe(true);
    const pulled = await stream('images.pull', { ref });
    expect(pulled.ok).toBe(true);
    expect(engine.images.resolve(ref)).toMatch(/^sha256:/);

    // The feed: the login (user, never the secret), then docker's push, untag/delete and pull under the reference.
    const events = engine.events.read();
    expect(events.map((e) => `${e.type} ${e.action} ${e.id}`).filter((l) => !l.startsWith('layer'))).toEqual([
      `image tag ${engine.images.resolve(ref)}`,
      `registry login ${registry!.host}`, `image push ${ref}`,
      // rmi untags the tag and the repo digest the push recorded, each announced, then deletes.
      `image untag ${engine.images.resolve(ref)}`, `image untag ${engine.images.resolve(ref)}`, `image delete ${engine.images.resolve(ref)}`,
      `image pull ${ref}`,
    ]);
    expect(events.find((e) => e.action === 'login')!.attributes).toEqual({ username: USER });
    expect(events.find((e) => e.action === 'pull')!.attributes).toEqual({ name: ref.slice(0, ref.lastIndexOf(':')) });
    expect(leaks(JSON.stringify(events.map((e) => e.attributes)), PASSWORD)).toBe(false);
  });

  it('logs out: the entry is erased and the registry refuses again', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    expect(await session.invoke('registry.logout', { registry: registry!.host })).toEqual({ ok: true, value: { registry: registry!.host, removed: true } });
    expect(await session.invoke('registry.logout', { registry: registry!.host })).toEqual({ ok: true, value: { registry: registry!.host, removed: false } });
    // One logout announced: the second removed nothing.
    expect(engine.events.read().filter((e) => e.type === 'registry' && e.action === 'logout').map((e) => e.id)).toEqual([registry!.host]);
    expect((await logins()).logins).toEqual([]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ auths: {} });
    const env = await stream('images.pull', { ref });
    expect(env.ok).toBe(false);
    if (!env.ok) expect(env.error.code).toBe('unauthorized');
  });

  it('validates every argument without quoting the password', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const bad = [
      { registry: registry!.host, username: USER },
      { registry: registry!.host, username: USER, password: '' },
      { registry: '', username: USER, password: PASSWORD },
      { registry: registry!.host, username: '', password: PASSWORD },
      { registry: registry!.host, username: USER, password: 42 },
      { registry: registry!.host, username: USER, password: `${PASSWORD}\0` },
      { registry: registry!.host, username: USER, password: PASSWORD, remember: true },
    ];
    for (const params of bad) {
      const env = await session.invoke('registry.login', params);
      expect(env.ok, JSON.stringify(Object.keys(params))).toBe(false);
      if (!env.ok) {
        expect(env.error.code).toBe('invalid');
        expect(leaks(env.error.message, PASSWORD)).toBe(false);
      }
    }
    expect((await session.invoke('registry.logout', {})).ok).toBe(false);
    expect((await session.invoke('registry.logins', { all: true })).ok).toBe(false);
    expect(existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { auths: object }).auths : {}).toEqual({});
  });

  it('refuses to store secrets when the host has no keychain, before asking the registry', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const plainFile = join(tmp.path, 'no-keychain', 'registry-credentials.json');
    const handlers = createHandlers(engine, {
      host: 'electron',
      credentials: new SealedCredentialStore(plainFile, aesSealer()),
      credentialsUnavailable: () => 'cannot store registry credentials: no system keychain is available',
    });
    const s = new HostSession(handlers, () => {});
    try {
      const env = await s.invoke('registry.login', { registry: registry!.host, username: USER, password: PASSWORD });
      expect(env).toEqual({ ok: false, error: { code: 'unsupported', message: 'cannot store registry credentials: no system keychain is available' } });
      expect(existsSync(plainFile)).toBe(false);
      const listed = await s.invoke('registry.logins', {});
      expect(listed.ok && (listed.value as RegistryLogins).unavailable).toBe('cannot store registry credentials: no system keychain is available');
    } finally {
      s.dispose();
    }
  });
});

describe('registry logins in the browser host (docker config.json, as the CLI)', () => {
  it('lists docker.io and other registries with their users, never a password; log out erases docker’s Hub key', async () => {
    const tmp = tempDir();
    const engine = Engine.open({ root: join(tmp.path, 'store') });
    try {
      const dir = join(tmp.path, 'docker');
      mkdirSync(dir);
      const b64 = (s: string): string => Buffer.from(s).toString('base64');
      const config = {
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hubber:hub-Secret') },
          'ghcr.io': { auth: b64('octo:ghp_Secret') },
          'quay.io': { identitytoken: 'opaque' },
        },
        psFormat: 'table {{.ID}}',
      };
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
      const session = new HostSession(createHandlers(engine, { host: 'browser', credentials: new DockerConfigCredentialStore(dir) }), () => {});
      const listed = await session.invoke('registry.logins', {});
      expect(listed).toEqual({
        ok: true,
        value: {
          storage: 'docker-config',
          location: join(dir, 'config.json'),
          logins: [{ registry: 'docker.io', username: 'hubber' }, { registry: 'ghcr.io', username: 'octo' }],
        },
      });
      expect(JSON.stringify(listed)).not.toMatch(/Secret/);
      expect(await session.invoke('registry.logout', { registry: 'https://index.docker.io/v1/' })).toEqual({ ok: true, value: { registry: 'docker.io', removed: true } });
      const after = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as typeof config;
      expect(Object.keys(after.auths)).toEqual(['ghcr.io', 'quay.io']);
      expect(after.psFormat).toBe('table {{.ID}}');
      session.dispose();
    } finally {
      engine.close();
      tmp.cleanup();
    }
  });

  it('says when docker\'s credential helper (credsStore) keeps the secrets, and lists its logins', async () => {
    const tmp = tempDir();
    const engine = Engine.open({ root: join(tmp.path, 'store') });
    try {
      const bin = join(tmp.path, 'bin');
      scriptHelper(bin, 'scripted');
      const dir = join(tmp.path, 'docker');
      mkdirSync(dir);
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ credsStore: 'scripted' }));
      const store = new DockerConfigCredentialStore(dir, withPath(bin));
      await store.store('127.0.0.1:5000', { username: 'ci', password: 'helper-Secret' });
      const session = new HostSession(createHandlers(engine, { host: 'browser', credentials: store }), () => {});
      const listed = await session.invoke('registry.logins', {});
      expect(listed).toEqual({
        ok: true,
        value: { storage: 'credential-helper', helper: 'scripted', location: join(dir, 'config.json'), logins: [{ registry: '127.0.0.1:5000', username: 'ci' }] },
      });
      expect(JSON.stringify(listed)).not.toMatch(/Secret/);
      session.dispose();
    } finally {
      engine.close();
      tmp.cleanup();
    }
  });
});
