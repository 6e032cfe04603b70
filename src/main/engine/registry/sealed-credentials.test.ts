import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SealedCredentialStore } from './sealed-credentials.ts';
import { aesSealer } from '../../../../test/fixtures/sealer.ts';
import { tempDir } from '../../../../test/tmp.ts';

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
