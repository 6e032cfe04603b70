import type { Descriptor, Platform } from '../image/oci.ts';
import { hostPlatform } from '../image/oci.ts';
import { StrataError } from '../../../shared/errors.ts';

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386' };

/** containerd's platforms.Normalize: arch aliases, and the default variant for arm (v7) and arm64 (v8). */
export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase();
  const architecture = ARCH_ALIASES[p.architecture.toLowerCase()] ?? p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase() || undefined;
  if (architecture === 'arm64' && (variant === undefined || variant === '8')) variant = 'v8';
  if (architecture === 'arm' && (variant === undefined || variant === '7')) variant = 'v7';
  if (architecture === 'arm' && (variant === '5' || variant === '6')) variant = `v${variant}`;
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** Parses `--platform` (`linux/arm64`, `linux/arm/v7`, `linux`). */
export function parsePlatform(value: string): Platform {
  const parts = value.split('/');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new StrataError('invalid', `invalid platform: "${value}": expected os/arch[/variant]`);
  const os = parts[0]!;
  const architecture = parts[1] ?? hostPlatform().architecture;
  return normalizePlatform({ os, architecture, ...(parts[2] ? { variant: parts[2] } : {}) });
}

/** `linux/arm64/v8`, as docker prints platforms. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function defaultPlatform(): Platform {
  return normalizePlatform(hostPlatform());
}

export function platformMatches(want: Platform, have: Platform | undefined): boolean {
  if (!have) return false;
  const w = normalizePlatform(want);
  const h = normalizePlatform(have);
  return w.os === h.os && w.architecture === h.architecture && (w.variant ?? '') === (h.variant ?? '');
}

/** The index entry for `want`, or docker's error when the index has none. */
export function selectManifest(manifests: readonly Descriptor[], want: Platform): Descriptor {
  const found = manifests.find((m) => platformMatches(want, m.platform));
  if (!found) throw new StrataError('not-found', `no matching manifest for ${formatPlatform(normalizePlatform(want))} in the manifest list entries`);
  return found;
}
