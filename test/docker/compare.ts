import { execFileSync } from 'node:child_process';

/**
 * docker's init layer: files and mount points every docker container has and a Strata container
 * does not (docker creates them for its own runtime). `export` lists them; nothing else differs.
 */
export const DOCKER_INIT_LAYER = new Set([
  '.dockerenv', 'dev/', 'dev/console', 'dev/pts/', 'dev/shm/', 'etc/hostname', 'etc/hosts', 'etc/mtab', 'etc/resolv.conf', 'proc/', 'sys/',
]);

/** One line per tar member: type, mode, owner, size, name, link target (no times: they differ by clock). */
export function tarTree(file: string): string[] {
  return execFileSync('tar', ['tvf', file, '--numeric-owner'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^(\S+) (\S+) +(\d+) \d{4}-\d\d-\d\d \d\d:\d\d (.*)$/.exec(l);
      if (!m) throw new Error(`unexpected tar listing line: ${l}`);
      return { line: `${m[1]} ${m[2]} ${m[3]} ${m[4]}`, name: m[4]!.replace(/ (->|link to) .*$/, '') };
    })
    .filter((e) => !DOCKER_INIT_LAYER.has(e.name))
    .map((e) => e.line)
    .sort();
}

/** The runtime config fields an image carries; docker adds container-only ones (Hostname, Image, Attach*…). */
export function imageConfig(json: string): Record<string, unknown> {
  const c = JSON.parse(json) as Record<string, unknown>;
  const keys = ['User', 'ExposedPorts', 'Env', 'Cmd', 'Healthcheck', 'ArgsEscaped', 'Volumes', 'WorkingDir', 'Entrypoint', 'OnBuild', 'Labels', 'StopSignal', 'Shell'];
  return Object.fromEntries(keys.map((k) => [k, c[k] ?? null]));
}
