import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { authKey, CredentialHelperUnsupportedError, DockerConfigCredentialStore, dockerConfigDir } from './credentials.ts';
import { loginRegistry } from './login.ts';
import { tempDir } from '../../../../test/tmp.ts';

describe("docker's config.json credentials", () => {
  let dir: { path: string; cleanup: () => void };
  beforeEach(() => { dir = tempDir(); });
  afterEach(() => dir.cleanup());

  it('stores base64 user:pass under docker\'s keys, keeps other settings, and erases', async () => {
    mkdirSync(dir.path, { recursive: true });
    writeFileSync(join(dir.path, 'config.json'), JSON.stringify({ auths: { 'https://ghcr.io': { auth: Buffer.from('g:h').toString('base64') } }, detachKeys: 'ctrl-x' }));
    const store = new DockerConfigCredentialStore(dir.path);
    await store.store('docker.io', { username: 'me', password: 'p:w' });
    await store.store('127.0.0.1:5000', { username: 'u', password: 'x' });
    const file = JSON.parse(readFileSync(store.file, 'utf8')) as { auths: Record<string, { auth: string }>; detachKeys: string };
    expect(Object.keys(file.auths).sort()).toEqual(['127.0.0.1:5000', 'https://ghcr.io', 'https://index.docker.io/v1/']);
    expect(Buffer.from(file.auths['https://index.docker.io/v1/']!.auth, 'base64').toString()).toBe('me:p:w');
    expect(file.detachKeys).toBe('ctrl-x');
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(await store.get('docker.io')).toEqual({ username: 'me', password: 'p:w' });
    expect(await store.get('ghcr.io')).toEqual({ username: 'g', password: 'h' });
    expect(await store.get('quay.io')).toBeUndefined();
    expect(await store.erase('ghcr.io')).toBe(true);
    expect(await store.erase('ghcr.io')).toBe(false);
  });

  it('reports credential helpers as unsupported instead of ignoring them', async () => {
    writeFileSync(join(dir.path, 'config.json'), JSON.stringify({ credsStore: 'desktop' }));
    const store = new DockerConfigCredentialStore(dir.path);
    await expect(store.get('docker.io')).rejects.toBeInstanceOf(CredentialHelperUnsupportedError);
    await expect(store.store('docker.io', { username: 'a', password: 'b' })).rejects.toThrow('docker-credential-desktop');
  });

  it('finds the config like docker and names registries like docker login', () => {
    expect(dockerConfigDir({ DOCKER_CONFIG: '/x' })).toBe('/x');
    expect(dockerConfigDir({ HOME: '/home/a' })).toBe('/home/a/.docker');
    expect(authKey('docker.io')).toBe('https://index.docker.io/v1/');
    expect(loginRegistry(undefined)).toBe('docker.io');
    expect(loginRegistry('https://index.docker.io/v1/')).toBe('docker.io');
    expect(loginRegistry('http://127.0.0.1:5000/v2/')).toBe('127.0.0.1:5000');
  });
});
