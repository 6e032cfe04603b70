import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { authKey, DockerConfigCredentialStore, dockerConfigDir } from './credentials.ts';
import { CredentialHelperError } from './credential-helper.ts';
import { passHelperMissing, passStore, scriptHelper, withPath } from '../../../../test/fixtures/credential-helpers.ts';
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

  it('keeps the secret in the real docker-credential-pass helper (credsStore) and only an empty entry in config.json', async (t) => {
    const why = passHelperMissing();
    if (why) t.skip(why);
    const pass = passStore(dir.path);
    try {
      const configDir = join(dir.path, 'docker');
      mkdirSync(configDir);
      writeFileSync(join(configDir, 'config.json'), JSON.stringify({ credsStore: 'pass' }));
      const store = new DockerConfigCredentialStore(configDir, pass.env);
      expect(store.helperFor('127.0.0.1:5000')?.program).toBe('docker-credential-pass');
      expect(await store.get('127.0.0.1:5000')).toBeUndefined();
      await store.store('127.0.0.1:5000', { username: 'u', password: 'pa55-in-gpg' });
      await store.store('docker.io', { username: 'hub', password: 'hub-pa55' });
      const file = readFileSync(store.file, 'utf8');
      expect(file).not.toContain('pa55');
      expect(JSON.parse(file)).toEqual({ credsStore: 'pass', auths: { '127.0.0.1:5000': {}, 'https://index.docker.io/v1/': {} } });
      // pass holds them, encrypted, under docker's server keys.
      const listed = execFileSync('pass', ['ls'], { env: pass.env, encoding: 'utf8' });
      expect(listed).toContain('docker-credential-helpers');
      expect(await store.get('127.0.0.1:5000')).toEqual({ username: 'u', password: 'pa55-in-gpg' });
      expect(await store.get('docker.io')).toEqual({ username: 'hub', password: 'hub-pa55' });
      expect(await store.erase('127.0.0.1:5000')).toBe(true);
      expect(await store.get('127.0.0.1:5000')).toBeUndefined();
      expect(await store.erase('127.0.0.1:5000')).toBe(false);
    } finally {
      pass.stop();
    }
  });

  it('picks credHelpers per registry over credsStore, reads identity tokens, and reports a failing or missing helper', async () => {
    const bin = join(dir.path, 'bin');
    scriptHelper(bin, 'scripted');
    scriptHelper(bin, 'broken', { fail: 'keychain is locked' });
    const configDir = join(dir.path, 'docker');
    mkdirSync(configDir);
    const config = { credsStore: 'broken', credHelpers: { 'registry.example': 'scripted', 'gone.example': 'nowhere' } };
    writeFileSync(join(configDir, 'config.json'), JSON.stringify(config));
    const store = new DockerConfigCredentialStore(configDir, withPath(bin));

    await store.store('registry.example', { username: 'ci', password: '', identityToken: 'refresh-abc' });
    // The helper got docker's identity-token form: username <token>, the token as the secret.
    const kept = readdirSync(join(bin, 'scripted.d')).map((f) => JSON.parse(readFileSync(join(bin, 'scripted.d', f), 'utf8')) as unknown);
    expect(kept).toEqual([{ ServerURL: 'registry.example', Username: '<token>', Secret: 'refresh-abc' }]);
    expect(await store.get('registry.example')).toEqual({ username: '', password: '', identityToken: 'refresh-abc' });

    await expect(store.get('quay.io')).rejects.toThrow('error getting credentials - err: exit status 1, out: `keychain is locked`');
    await expect(store.get('quay.io')).rejects.toBeInstanceOf(CredentialHelperError);
    await expect(store.get('gone.example')).rejects.toThrow('exec: "docker-credential-nowhere": executable file not found in $PATH');
    await expect(store.store('quay.io', { username: 'a', password: 'b' })).rejects.toThrow('error storing credentials');
  });

  it('reads identity tokens from config.json and writes them as docker login does', async () => {
    const store = new DockerConfigCredentialStore(dir.path);
    await store.store('ghcr.io', { username: 'octo', password: '', identityToken: 'rt-1' });
    const file = JSON.parse(readFileSync(store.file, 'utf8')) as { auths: Record<string, { auth: string; identitytoken: string }> };
    expect(file.auths['ghcr.io']).toEqual({ auth: Buffer.from('octo:').toString('base64'), identitytoken: 'rt-1' });
    expect(await store.get('ghcr.io')).toEqual({ username: 'octo', password: '', identityToken: 'rt-1' });
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
