import { posix } from 'node:path';
import type { ContainerConfig } from '../image/oci.ts';
import { StrataError } from '../../../shared/errors.ts';
import type { NetworkMode } from '../runtime/policy.ts';
import type { PortBinding } from '../network/ports.ts';

/** What a container was created with: docker's container Config (the image's, overridden). */
export interface ContainerSettings extends ContainerConfig {
  Hostname: string;
  Image: string;
  Tty: boolean;
  OpenStdin: boolean;
  AutoRemove: boolean;
  Network: NetworkMode;
  /** docker's HostConfig.PortBindings (`-p`), as given: `80/tcp` → host address and port ('' = any). */
  PortBindings?: Record<string, PortBinding[]>;
  /** docker's HostConfig.PublishAllPorts (`-P`): every exposed port on a free host port. */
  PublishAllPorts?: boolean;
}

export interface CreateOptions {
  image: string;
  name?: string;
  cmd?: string[];
  /** `--entrypoint`: '' resets the image's entrypoint. */
  entrypoint?: string;
  env?: string[];
  envFiles?: string[];
  workdir?: string;
  user?: string;
  labels?: string[];
  tty?: boolean;
  openStdin?: boolean;
  autoRemove?: boolean;
  /** docker's `--network`: `bridge` (default) and `none` are private, `host` only when asked. */
  network?: NetworkMode;
  /** `-p`: port key → bindings (network/ports.ts parsePublishSpecs). */
  portBindings?: Record<string, PortBinding[]>;
  /** `-P`/`--publish-all`. */
  publishAll?: boolean;
  /** `--expose`: port keys (`80/tcp`) added to the image's ExposedPorts. */
  expose?: string[];
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function envKey(e: string): string {
  const eq = e.indexOf('=');
  return eq === -1 ? e : e.slice(0, eq);
}

/** `KEY=VAL` stays; a bare `KEY` takes the value from the caller's environment, or is dropped. */
export function resolveEnvArg(e: string, hostEnv: NodeJS.ProcessEnv): string | undefined {
  if (e.includes('=')) {
    if (e.startsWith('=')) throw new StrataError('invalid', `invalid environment variable: ${e}`);
    return e;
  }
  const v = hostEnv[e];
  return v === undefined ? undefined : `${e}=${v}`;
}

/** docker's --env-file: one variable per line, `#` comments and blank lines skipped. */
export function parseEnvFile(text: string, hostEnv: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    if (/\s/.test(envKey(line))) throw new StrataError('invalid', `variable '${envKey(line)}' contains whitespaces`);
    const v = resolveEnvArg(line, hostEnv);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** ReplaceOrAppendEnvValues: later values replace earlier ones in place, new keys are appended. */
export function replaceOrAppendEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const out = [...base];
  for (const o of overrides) {
    const i = out.findIndex((e) => envKey(e) === envKey(o));
    if (i === -1) out.push(o);
    else out[i] = o;
  }
  return out;
}

/**
 * The container's config from the image's and the user's, as moby's daemon `merge` does: the
 * user's Env first, then each image variable the user did not set; an image CMD is inherited only
 * when the user gave neither a command nor an entrypoint.
 */
export function containerSettings(image: ContainerConfig, opts: CreateOptions, userEnv: string[], hostname: string): ContainerSettings {
  const base: ContainerConfig = structuredClone(image);
  let env: string[];
  if (userEnv.length === 0) env = [...(base.Env ?? [])];
  else {
    env = [...userEnv];
    for (const e of base.Env ?? []) if (!userEnv.some((u) => envKey(u) === envKey(e))) env.push(e);
  }
  const userEntrypoint = opts.entrypoint === undefined ? undefined : opts.entrypoint === '' ? [] : [opts.entrypoint];
  let cmd = opts.cmd && opts.cmd.length > 0 ? opts.cmd : null;
  let entrypoint = userEntrypoint ?? null;
  if (!userEntrypoint) {
    if (!cmd) cmd = base.Cmd ?? null;
    entrypoint = base.Entrypoint ?? null;
  }
  const labels = { ...(base.Labels ?? {}) };
  for (const l of opts.labels ?? []) {
    const eq = l.indexOf('=');
    labels[eq === -1 ? l : l.slice(0, eq)] = eq === -1 ? '' : l.slice(eq + 1);
  }
  // docker exposes every published port too.
  const exposed = { ...(base.ExposedPorts ?? {}) };
  for (const p of [...(opts.expose ?? []), ...Object.keys(opts.portBindings ?? {})]) exposed[p] = {};
  if (opts.network === 'none' && (Object.keys(opts.portBindings ?? {}).length > 0 || opts.publishAll)) {
    throw new StrataError('invalid', 'conflicting options: port publishing and the container type network mode');
  }
  return {
    ...base,
    ...(Object.keys(exposed).length > 0 ? { ExposedPorts: exposed } : {}),
    Hostname: hostname,
    Image: opts.image,
    Env: env,
    Cmd: cmd,
    Entrypoint: entrypoint && entrypoint.length > 0 ? entrypoint : null,
    WorkingDir: opts.workdir ? posix.resolve('/', base.WorkingDir || '/', opts.workdir) : base.WorkingDir ?? '',
    User: opts.user ?? base.User ?? '',
    Labels: labels,
    Tty: opts.tty ?? false,
    OpenStdin: opts.openStdin ?? false,
    AutoRemove: opts.autoRemove ?? false,
    Network: opts.network ?? 'bridge',
    ...(opts.portBindings && Object.keys(opts.portBindings).length > 0 ? { PortBindings: opts.portBindings } : {}),
    ...(opts.publishAll ? { PublishAllPorts: true } : {}),
  };
}

/** The argv a container runs: entrypoint then command. */
export function containerArgs(s: ContainerConfig): string[] {
  return [...(s.Entrypoint ?? []), ...(s.Cmd ?? [])];
}

/**
 * The command as the daemon lists it (moby's container view): the path, then each argument, one
 * holding a space wrapped in single quotes, so `ps` shows where arguments begin and end
 * (`sh -c 'while true; do …'`).
 */
export function listedCommand(s: ContainerConfig): string {
  const [path = '', ...args] = containerArgs(s);
  if (args.length === 0) return path;
  return `${path} ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

/**
 * The environment the process sees (moby CreateDaemonEnvironment): PATH, HOSTNAME, TERM for a
 * terminal, then the container's Env over them; HOME from /etc/passwd when unset.
 */
export function processEnv(s: ContainerSettings, home: string): string[] {
  const base = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${s.Hostname}`, ...(s.Tty ? ['TERM=xterm'] : [])];
  const env = replaceOrAppendEnv(base, s.Env ?? []);
  if (!env.some((e) => envKey(e) === 'HOME')) env.push(`HOME=${home}`);
  return env;
}
