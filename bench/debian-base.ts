/**
 * A ≈200 MB Debian base layer for the benchmarks, made without a network: the files of this
 * host's own Debian packages of priority required, important and standard, plus perl and
 * python3's minimal runtime (a debootstrap minbase with a little more), as one deterministic tar.
 * Kept in $STRATA_BENCH_CACHE (default /var/cache/strata-bench) and made once.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const EXTRA = ['perl', 'perl-modules-5.36', 'libperl5.36', 'python3-minimal', 'python3.11-minimal', 'libpython3.11-minimal', 'libpython3.11-stdlib'];

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** The base's packages: those of the priorities above, and EXTRA when installed. */
function packages(): string[] {
  return run('dpkg-query', ['-W', '-f=${Package} ${Priority}\\n'])
    .split('\n')
    .map((l) => l.split(' '))
    .filter(([name, prio]) => name && (['required', 'important', 'standard'].includes(prio!) || EXTRA.includes(name)))
    .map(([name]) => name!);
}

/** True when a directory above `path` is a symlink (/bin → usr/bin): the file is listed under its real path too. */
function underSymlink(path: string, seen: Map<string, boolean>): boolean {
  for (let dir = path.slice(0, path.lastIndexOf('/')); dir.length > 0; dir = dir.slice(0, dir.lastIndexOf('/'))) {
    let link = seen.get(dir);
    if (link === undefined) seen.set(dir, (link = lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink() ?? false));
    if (link) return true;
  }
  return false;
}

/** The path of the base tar, made on first use. */
export function debianBaseTar(cacheDir = process.env.STRATA_BENCH_CACHE ?? '/var/cache/strata-bench'): string {
  const out = join(cacheDir, 'debian-host-base.tar');
  if (existsSync(out)) return out;
  mkdirSync(cacheDir, { recursive: true });
  const files = new Set<string>();
  const seen = new Map<string, boolean>();
  for (const line of run('dpkg', ['-L', ...packages()]).split('\n')) {
    if (!line.startsWith('/') || line.startsWith('/dev') || line.startsWith('/proc') || line.startsWith('/sys')) continue;
    if (existsSync(line) && !underSymlink(line, seen)) files.add(`.${line}`);
  }
  // The dpkg database, /etc files no package lists, and the usual empty directories.
  for (const extra of ['./lib64', './etc/passwd', './etc/group', './etc/shadow', './etc/hostname', './var/lib/dpkg/status', './tmp', './root', './home', './var/tmp']) if (existsSync(extra.slice(1))) files.add(extra);
  const list = join(cacheDir, 'debian-host-base.list');
  writeFileSync(list, [...files].sort().join('\n'));
  run('tar', ['--sort=name', '--numeric-owner', '--mtime=2024-01-01', '--no-recursion', '-C', '/', '-cf', `${out}.tmp`, '-T', list]);
  renameSync(`${out}.tmp`, out);
  return out;
}

if (import.meta.main) {
  const tar = debianBaseTar();
  console.log(tar, run('du', ['-h', tar]).split('\t')[0], run('sh', ['-c', `tar -tf ${tar} | wc -l`]).trim(), 'entries');
}
