/**
 * What a config-only Dockerfile instruction (ENV, CMD, LABEL, …) does to an image's runtime config.
 * One definition, used by the builder's dispatcher and by `--change` on `import` and `commit`
 * (moby's BuildFromConfig), so the three can't drift apart.
 */
import type { ContainerConfig, HealthConfig } from './oci.ts';
import {
  DockerfileParseError, expandInstruction, instructionNames, normalizeWorkdir, parse, parseCommand, parseExposedPorts,
  type CmdInstruction, type Command, type EntrypointInstruction, type EnvInstruction, type ExposeInstruction,
  type HealthcheckInstruction, type LabelInstruction, type OnbuildInstruction, type ShellInstruction,
  type StopSignalInstruction, type UserInstruction, type VolumeInstruction, type WorkdirInstruction,
} from '../build/frontend.ts';
import { StrataError } from '../../../shared/errors.ts';

/** The instructions whose whole effect (or, for WORKDIR, whose config part) is a config change. */
export type ConfigInstruction =
  | EnvInstruction | LabelInstruction | CmdInstruction | EntrypointInstruction | HealthcheckInstruction
  | ExposeInstruction | UserInstruction | VolumeInstruction | StopSignalInstruction | ShellInstruction
  | OnbuildInstruction | WorkdirInstruction;

const CONFIG_KINDS = new Set<string>(['env', 'label', 'cmd', 'entrypoint', 'healthcheck', 'expose', 'user', 'volume', 'stopsignal', 'shell', 'onbuild', 'workdir']);

export function isConfigInstruction(cmd: Command): cmd is ConfigInstruction {
  return CONFIG_KINDS.has(cmd.kind);
}

/**
 * Which dispatcher's rules: BuildKit's (`docker build`) or moby's classic one, which
 * BuildFromConfig still uses for `--change`. They differ only in CMD: BuildKit marks its args
 * escaped and runs an empty shell-form CMD through the shell; the classic builder stores [].
 */
export type Dialect = 'buildkit' | 'classic';

/** What the instructions so far in one stage (or one set of changes) have done. */
export interface DispatchScope {
  /** A CMD was given: a later ENTRYPOINT keeps it instead of resetting it. */
  cmdSet?: boolean;
}

/** moby's validCommitCommands: what `import --change` and `commit --change` accept. */
export const CHANGE_COMMANDS: ReadonlySet<string> = new Set([
  'cmd', 'entrypoint', 'healthcheck', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir',
]);

const KNOWN: ReadonlySet<string> = new Set(instructionNames.map((n) => n.toLowerCase()));

export class ChangeError extends StrataError {
  constructor(message: string) {
    super('invalid', message);
  }
}

/** Checks what the dispatcher checks before changing anything; throws a one-line Error. */
export function validateConfigInstruction(cmd: ConfigInstruction): void {
  switch (cmd.kind) {
    case 'volume':
      for (const v of cmd.volumes) if (v === '') throw new StrataError('invalid', 'VOLUME specified can not be an empty string');
      break;
    case 'stopsignal':
      checkSignal(cmd.signal);
      break;
    case 'expose':
      parseExposedPorts(cmd.ports);
      break;
    default:
      break;
  }
}

/** The working directory WORKDIR `path` leads to from the config's current one. */
export function resolveWorkdir(config: ContainerConfig, path: string): string {
  return normalizeWorkdir(config.WorkingDir || '/', path);
}

/** Applies one expanded instruction to `config` in place, as docker's dispatcher does. */
export function applyConfigInstruction(config: ContainerConfig, cmd: ConfigInstruction, scope: DispatchScope, dialect: Dialect = 'buildkit'): void {
  validateConfigInstruction(cmd);
  switch (cmd.kind) {
    case 'env':
      // Replaced in place, new names appended: the order a container sees stays stable.
      for (const kv of cmd.env) config.Env = setEnv(config.Env ?? [], kv.key, kv.value);
      break;
    case 'label': {
      const labels = (config.Labels ??= {});
      for (const kv of cmd.labels) labels[kv.key] = kv.value;
      break;
    }
    case 'cmd':
      config.Cmd = cmd.cmdLine?.length || dialect === 'buildkit' ? commandArgs(config, cmd) : [];
      if (dialect === 'buildkit') config.ArgsEscaped = true;
      scope.cmdSet = true;
      break;
    case 'entrypoint':
      config.Entrypoint = cmd.cmdLine === null ? null : commandArgs(config, cmd);
      // A new ENTRYPOINT makes an inherited CMD meaningless, unless this stage set one.
      if (!scope.cmdSet) config.Cmd = null;
      break;
    case 'healthcheck':
      config.Healthcheck = healthConfig(cmd.health);
      break;
    case 'expose': {
      const ports = (config.ExposedPorts ??= {});
      for (const p of parseExposedPorts(cmd.ports)) ports[p] = {};
      break;
    }
    case 'user':
      config.User = cmd.user;
      break;
    case 'volume': {
      const volumes = (config.Volumes ??= {});
      for (const v of cmd.volumes) volumes[v] = {};
      break;
    }
    case 'stopsignal':
      config.StopSignal = cmd.signal;
      break;
    case 'shell':
      config.Shell = cmd.shell;
      break;
    case 'onbuild':
      // The trigger text as written; a child build parses it again.
      config.OnBuild = [...(config.OnBuild ?? []), cmd.expression];
      break;
    case 'workdir':
      config.WorkingDir = resolveWorkdir(config, cmd.path);
      break;
  }
}

/**
 * `import --change` / `commit --change`: moby's BuildFromConfig. The lines are parsed together by
 * the Dockerfile parser, checked against validCommitCommands, then each is expanded against the
 * config's Env so far and dispatched with the classic builder's rules.
 */
export function applyConfigChanges(base: ContainerConfig, changes: readonly string[]): ContainerConfig {
  const commands = parseChanges(changes);
  const config: ContainerConfig = structuredClone(base);
  const scope: DispatchScope = {};
  for (const { cmd, escapeToken } of commands) {
    try {
      const expanded = expandInstruction(cmd, config.Env ?? [], { escapeToken });
      applyConfigInstruction(config, expanded, scope, 'classic');
    } catch (err) {
      throw changeError(err);
    }
  }
  return config;
}

/** Every change typed before any is applied, so a bad line changes nothing. */
function parseChanges(changes: readonly string[]): { cmd: ConfigInstruction; escapeToken: string }[] {
  // moby only builds from the changes when there are some.
  if (changes.every((c) => c.trim() === '')) return [];
  try {
    const result = parse(changes.join('\n'));
    for (const node of result.children) {
      const name = node.keyword.toLowerCase();
      // moby checks the set first; an unknown word still gets the parser's own message.
      if (KNOWN.has(name) && !CHANGE_COMMANDS.has(name)) throw new ChangeError(`${name} is not a valid change command`);
    }
    return result.children.map((node) => ({ cmd: parseCommand(node) as ConfigInstruction, escapeToken: result.escapeToken }));
  } catch (err) {
    throw changeError(err);
  }
}

function changeError(err: unknown): ChangeError {
  if (err instanceof ChangeError) return err;
  // moby reports the bare reason; the line number means nothing for a --change flag.
  if (err instanceof DockerfileParseError) return new ChangeError(err.reason);
  return new ChangeError(err instanceof Error ? err.message : String(err));
}

function setEnv(list: string[], key: string, value: string): string[] {
  const out = [...list];
  const i = out.findIndex((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) === key);
  if (i >= 0) out[i] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

/** Exec form as given; shell form through the config's SHELL (default `/bin/sh -c`). */
function commandArgs(config: ContainerConfig, cmd: { cmdLine: string[] | null; prependShell: boolean }): string[] {
  const args = cmd.cmdLine ?? [];
  if (!cmd.prependShell) return args;
  const shell = config.Shell?.length ? config.Shell : ['/bin/sh', '-c'];
  return [...shell, args.join(' ')];
}

/** docker's HealthConfig JSON: durations and retries left out when zero (inherit the default). */
function healthConfig(h: HealthcheckInstruction['health']): HealthConfig {
  return {
    Test: h.test, ...(h.interval ? { Interval: h.interval } : {}), ...(h.timeout ? { Timeout: h.timeout } : {}),
    ...(h.startPeriod ? { StartPeriod: h.startPeriod } : {}), ...(h.startInterval ? { StartInterval: h.startInterval } : {}),
    ...(h.retries ? { Retries: h.retries } : {}),
  };
}

const SIGNALS = new Set(['ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF', 'PWR', 'QUIT',
  'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'UNUSED', 'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ', 'RTMIN', 'RTMAX']);

function checkSignal(sig: string): void {
  if (/^\d+$/.test(sig)) {
    if (Number(sig) === 0) throw new StrataError('invalid', `invalid signal: ${sig}`);
    return;
  }
  const name = sig.toUpperCase().replace(/^SIG/, '');
  if (!SIGNALS.has(name) && !/^RTM(IN|AX)[+-]\d+$/.test(name)) throw new StrataError('invalid', `invalid signal: ${sig}`);
}
