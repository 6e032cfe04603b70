import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SealedCredentialStore, type Sealer } from './sealed-credentials.ts';
import { tempDir } from '../../../../test/tmp.ts';

/** AES-256-GCM with a key held in memory: what safeStorage does with the OS keychain's key. */
function aesSealer(key = randomBytes(32)): Sealer {
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(sealed) {
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

describe('sealed credential store (for the desktop app)', () => {
  it('keeps nothing readable on disk and round-trips through the sealer', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'credentials.json');
      const key = randomBytes(32);
      const store = new SealedCredentialStore(file, aesSealer(key));
      expect(store.plaintextLocation).toBeUndefined();
      await store.store('ghcr.io', { username: 'octo', password: 'ghp_secret123' });
      await store.store('docker.io', { username: 'me', password: 'hub-pass' });
      const onDisk = readFileSync(file, 'utf8');
      expect(onDisk).not.toContain('ghp_secret123');
      expect(onDisk).not.toContain('octo');
      expect(await new SealedCredentialStore(file, aesSealer(key)).get('ghcr.io')).toEqual({ username: 'octo', password: 'ghp_secret123' });
      await expect(new SealedCredentialStore(file, aesSealer()).get('ghcr.io')).rejects.toThrow();
      expect(await store.erase('ghcr.io')).toBe(true);
      expect(await store.get('ghcr.io')).toBeUndefined();
      expect(await store.get('docker.io')).toEqual({ username: 'me', password: 'hub-pass' });
    } finally {
      dir.cleanup();
    }
  });
});
