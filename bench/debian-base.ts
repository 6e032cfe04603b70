/**
 * A ≈250 MB Debian base layer (≈12,600 files) for the benchmarks, made without a network: the
 * files of this host's own Debian packages of priority required, important and standard and of
 * everything they depend on (a debootstrap minbase with a little more), as one deterministic tar
 * (paths under the merged-/usr symlinks recorded at their real place).
 * Kept in $STRATA_BENCH_CACHE (default /var/cache/strata-bench) and made once.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Packages wanted beyond the priorities (none today; e.g. 'perl' for a bigger base). */
const EXTRA: string[] = [];

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** The base's packages: those of the priorities above and EXTRA, with everything they depend on. */
function packages(): string[] {
  const installed = new Map<string, { prio: string; deps: string[] }>();
  for (const line of run('dpkg-query', ['-W', '-f=${Package}\t${Priority}\t${Pre-Depends}, ${Depends}\n']).split('\n')) {
    const [name, prio, deps] = line.split('\t');
    if (!name) continue;
    // "libc6 (>= 2.34), dpkg | foo" → the first alternative's package name of each.
    const names = (deps ?? '').split(',').map((d) => d.split('|')[0]!.trim().split(/[\s:(]/)[0]!).filter(Boolean);
    installed.set(name, { prio: prio ?? '', deps: names });
  }
  const wanted = [...installed].filter(([name, p]) => ['required', 'important', 'standard'].includes(p.prio) || EXTRA.includes(name)).map(([name]) => name);
  const closure = new Set<string>();
  while (wanted.length > 0) {
    const name = wanted.pop()!;
    if (closure.has(name) || !installed.has(name)) continue;
    closure.add(name);
    wanted.push(...installed.get(name)!.deps);
  }
  return [...closure].sort();
}

/** `path` with its directory's symlinks resolved (/bin/cat → /usr/bin/cat on a merged /usr). */
function realPath(path: string, dirs: Map<string, string>): string {
  const cut = path.lastIndexOf('/');
  const dir = path.slice(0, cut) || '/';
  let real = dirs.get(dir);
  if (real === undefined) dirs.set(dir, (real = realpathSync(dir)));
  return `${real === '/' ? '' : real}${path.slice(cut)}`;
}

/** The path of the base tar, made on first use. */
export function debianBaseTar(cacheDir = process.env.STRATA_BENCH_CACHE ?? '/var/cache/strata-bench'): string {
  const out = join(cacheDir, 'debian-host-base.tar');
  if (existsSync(out)) return out;
  mkdirSync(cacheDir, { recursive: true });
  const files = new Set<string>();
  const dirs = new Map<string, string>();
  for (const line of run('dpkg', ['-L', ...packages()]).split('\n')) {
    if (!line.startsWith('/') || line.startsWith('/dev') || line.startsWith('/proc') || line.startsWith('/sys')) continue;
    if (existsSync(line)) files.add(`.${realPath(line, dirs)}`);
  }
  // The dpkg database, /etc files no package lists, and the usual empty directories.
  for (const extra of ['./bin', './sbin', './lib', './lib64', './usr/bin/sh', './etc/passwd', './etc/group', './etc/shadow', './etc/hostname', './var/lib/dpkg/status', './tmp', './root', './home', './var/tmp']) if (existsSync(extra.slice(1))) files.add(extra);
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
