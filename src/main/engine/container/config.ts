import { posix } from 'node:path';
import type { ContainerConfig, HealthConfig } from '../image/oci.ts';
import { words } from '../archive/changes.ts';
import { parseGoDuration } from '../build/instructions/duration.ts';

/** What a container was created with: docker's container Config (the image's, overridden). */
export interface ContainerSettings extends ContainerConfig {
  Hostname: string;
  Image: string;
  Tty: boolean;
  OpenStdin: boolean;
  AutoRemove: boolean;
  Network: 'host' | 'none';
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
  network?: 'host' | 'none';
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function envKey(e: string): string {
  const eq = e.indexOf('=');
  return eq === -1 ? e : e.slice(0, eq);
}

/** `KEY=VAL` stays; a bare `KEY` takes the value from the caller's environment, or is dropped. */
export function resolveEnvArg(e: string, hostEnv: NodeJS.ProcessEnv): string | undefined {
  if (e.includes('=')) {
    if (e.startsWith('=')) throw new Error(`invalid environment variable: ${e}`);
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
    if (/\s/.test(envKey(line))) throw new Error(`variable '${envKey(line)}' contains whitespaces`);
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
  return {
    ...base,
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
    Network: opts.network ?? 'host',
  };
}

/** The argv a container runs: entrypoint then command. */
export function containerArgs(s: ContainerConfig): string[] {
  return [...(s.Entrypoint ?? []), ...(s.Cmd ?? [])];
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

export class ChangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChangeError';
  }
}

/** moby's validCommitCommands. */
const COMMIT_COMMANDS = new Set(['cmd', 'entrypoint', 'healthcheck', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

/**
 * Applies `commit --change` lines (each one Dockerfile instruction) to the container's config, as
 * moby's BuildFromConfig dispatch does: ENV replaces in place and appends new names, a new
 * ENTRYPOINT resets CMD unless CMD is in the same set, ONBUILD keeps its trigger text.
 */
export function applyCommitChanges(base: ContainerConfig, changes: readonly string[]): ContainerConfig {
  const config: ContainerConfig = structuredClone(base);
  let cmdSet = false;
  for (const line of changes) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed)!;
    const command = m[1]!.toLowerCase();
    const rest = m[2]!.trim();
    if (!COMMIT_COMMANDS.has(command)) throw new ChangeError(`${command} is not a valid change command`);
    if (rest === '' && command !== 'cmd' && command !== 'entrypoint') throw new ChangeError(`${command.toUpperCase()} requires at least one argument`);
    switch (command) {
      case 'cmd':
        config.Cmd = commandForm(rest, config.Shell);
        cmdSet = true;
        break;
      case 'entrypoint':
        config.Entrypoint = commandForm(rest, config.Shell);
        if (!cmdSet) config.Cmd = null;
        break;
      case 'env':
        config.Env = replaceOrAppendEnv(config.Env ?? [], pairs(rest, 'ENV').map(([k, v]) => `${k}=${v}`));
        break;
      case 'label':
        config.Labels = { ...config.Labels };
        for (const [k, v] of pairs(rest, 'LABEL')) config.Labels[k] = v;
        break;
      case 'expose':
        config.ExposedPorts = { ...config.ExposedPorts };
        for (const spec of words(rest)) for (const p of ports(spec)) config.ExposedPorts[p] = {};
        break;
      case 'onbuild': {
        const trigger = /^(\S+)([\s\S]*)$/.exec(rest)!;
        const name = trigger[1]!.toUpperCase();
        if (name === 'ONBUILD') throw new ChangeError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        if (name === 'FROM' || name === 'MAINTAINER') throw new ChangeError(`${name} isn't allowed as an ONBUILD trigger`);
        config.OnBuild = [...(config.OnBuild ?? []), rest];
        break;
      }
      case 'user':
        config.User = rest;
        break;
      case 'volume':
        config.Volumes = { ...config.Volumes };
        for (const v of jsonArray(rest) ?? words(rest)) {
          if (v.trim() === '') throw new ChangeError('VOLUME specified can not be an empty string');
          config.Volumes[v] = {};
        }
        break;
      case 'workdir':
        config.WorkingDir = posix.resolve('/', config.WorkingDir || '/', rest);
        break;
      case 'stopsignal':
        config.StopSignal = rest;
        break;
      case 'healthcheck':
        config.Healthcheck = healthcheck(rest, config.Shell);
        break;
    }
  }
  return config;
}

function commandForm(rest: string, shell: string[] | undefined): string[] | null {
  if (rest === '') return null;
  return jsonArray(rest) ?? [...(shell ?? ['/bin/sh', '-c']), rest];
}

function jsonArray(rest: string): string[] | undefined {
  if (!rest.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(rest);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    /* shell form */
  }
  return undefined;
}

function pairs(rest: string, instruction: string): [string, string][] {
  const ws = words(rest);
  if (!ws[0]!.includes('=')) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(rest);
    if (!m) throw new ChangeError(`${instruction} must have two arguments`);
    return [[m[1]!, words(m[2]!).join(' ')]];
  }
  return ws.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new ChangeError(`${instruction} names can not be blank`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

function ports(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (!m) throw new ChangeError(`invalid containerPort: ${spec}`);
  const lo = Number(m[1]);
  const hi = m[2] ? Number(m[2]) : lo;
  const out: string[] = [];
  for (let p = lo; p <= hi; p++) out.push(`${p}/${(m[3] ?? 'tcp').toLowerCase()}`);
  return out;
}

function healthcheck(rest: string, shell: string[] | undefined): HealthConfig {
  if (rest.toUpperCase() === 'NONE') return { Test: ['NONE'] };
  const health: HealthConfig = {};
  let text = rest;
  for (;;) {
    const flag = /^--(interval|timeout|start-period|start-interval|retries)=(\S+)\s+([\s\S]*)$/.exec(text);
    if (!flag) break;
    const [, name, value, after] = flag;
    if (name === 'retries') health.Retries = Number(value);
    else {
      const ns = parseGoDuration(value!);
      if (name === 'interval') health.Interval = ns;
      if (name === 'timeout') health.Timeout = ns;
      if (name === 'start-period') health.StartPeriod = ns;
      if (name === 'start-interval') health.StartInterval = ns;
    }
    text = after!;
  }
  const m = /^CMD\s+([\s\S]*)$/i.exec(text);
  if (!m) throw new ChangeError('Unknown type "' + text.split(/\s/)[0] + '" in HEALTHCHECK (try CMD)');
  const json = jsonArray(m[1]!);
  health.Test = json ? ['CMD', ...json] : ['CMD-SHELL', m[1]!];
  void shell;
  return health;
}
