import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiHost, isInsecureRegistry, readRegistrySettings } from './settings.ts';
import { tempDir } from '../../../../test/tmp.ts';

describe('registry settings', () => {
  it('treats 127.0.0.0/8 (and names resolving there) as insecure like the docker daemon, nothing else by default', async () => {
    const none = { insecure: [] };
    expect(await isInsecureRegistry('127.0.0.1:5000', none)).toBe(true);
    expect(await isInsecureRegistry('127.8.9.10', none)).toBe(true);
    expect(await isInsecureRegistry('localhost:5000', none)).toBe(true);
    expect(await isInsecureRegistry('10.0.0.1:5000', none)).toBe(false);
    expect(await isInsecureRegistry('10.0.0.1:5000', none, true)).toBe(true);
    expect(await isInsecureRegistry('10.0.0.1:5000', { insecure: ['10.0.0.1:5000'] })).toBe(true);
    expect(await isInsecureRegistry('10.1.2.3:443', { insecure: ['10.0.0.0/8'] })).toBe(true);
  });

  it('reads <root>/registries.json and maps docker.io to its API host', () => {
    const dir = tempDir();
    try {
      expect(readRegistrySettings(dir.path)).toEqual({ insecure: [] });
      writeFileSync(join(dir.path, 'registries.json'), JSON.stringify({ insecure: ['reg.lan:5000'] }));
      expect(readRegistrySettings(dir.path)).toEqual({ insecure: ['reg.lan:5000'] });
      expect(apiHost('docker.io')).toBe('registry-1.docker.io');
      expect(apiHost('ghcr.io')).toBe('ghcr.io');
    } finally {
      dir.cleanup();
    }
  });
});
