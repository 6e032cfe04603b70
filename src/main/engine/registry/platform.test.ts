import { describe, expect, it } from 'vitest';
import { formatPlatform, parsePlatform, platformMatches, selectManifest } from './platform.ts';

const index = [
  { mediaType: 'm', digest: 'sha256:amd', size: 1, platform: { os: 'linux', architecture: 'amd64' } },
  { mediaType: 'm', digest: 'sha256:armv7', size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
  { mediaType: 'm', digest: 'sha256:arm64', size: 1, platform: { os: 'linux', architecture: 'arm64' } },
  { mediaType: 'm', digest: 'sha256:unknown', size: 1, platform: { os: 'unknown', architecture: 'unknown' } },
];

describe('platforms', () => {
  it('normalises like containerd: aliases and default arm variants', () => {
    expect(parsePlatform('linux/aarch64')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(parsePlatform('linux/arm')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(formatPlatform(parsePlatform('linux/arm64'))).toBe('linux/arm64/v8');
    expect(() => parsePlatform('linux//x')).toThrow('invalid platform');
  });

  it('selects the matching index entry, treating arm64 without a variant as v8', () => {
    expect(selectManifest(index, parsePlatform('linux/arm64/v8')).digest).toBe('sha256:arm64');
    expect(selectManifest(index, parsePlatform('linux/arm/v7')).digest).toBe('sha256:armv7');
    expect(selectManifest(index, parsePlatform('linux/amd64')).digest).toBe('sha256:amd');
    expect(platformMatches(parsePlatform('linux/arm/v6'), index[1]!.platform)).toBe(false);
    expect(() => selectManifest(index, parsePlatform('linux/s390x'))).toThrow('no matching manifest for linux/s390x in the manifest list entries');
  });
});
