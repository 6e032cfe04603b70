import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The installed Electron executable, found the way the electron package finds it but without
 * its fallback of downloading one (`require('electron')` would reach for the network).
 */
export function electronBinary(): string | undefined {
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
  const pathFile = join(pkgDir, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!name && !override) return undefined;
  const bin = join(override ?? join(pkgDir, 'dist'), name || 'electron');
  return existsSync(bin) ? bin : undefined;
}

if (import.meta.main) console.log(electronBinary() ?? '');
