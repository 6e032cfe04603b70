/**
 * Image history `created_by` strings exactly as BuildKit's dockerfile2llb writes them
 * (commitToHistory), plus the RUN argv and EXPOSE port normalisation they depend on.
 */
import { ShellLex, envFrom, type EnvSource } from '../shell/lex.ts';
import { goList, goQuote, goQuoteList, goQuoteRune } from '../shell/goquote.ts';
import { chompHeredocContent, mustParseHeredoc } from '../parser/heredoc.ts';
import { formatGoDuration } from './duration.ts';
import { normalizeWorkdir, type ResolvedArg } from './expand.ts';
import type { Command, HealthConfig, RunInstruction } from './types.ts';
import { StrataError } from '../../../../shared/errors.ts';

export const defaultShell: readonly string[] = ['/bin/sh', '-c'];

/** BuildKit's history comment for Dockerfile steps. */
export const historyComment = 'buildkit.dockerfile.v0';

export interface HistoryEntry {
  createdBy: string;
  /** True when the step changes only the config, not the filesystem. */
  emptyLayer: boolean;
  comment: string;
}

export interface HistoryContext {
  /** The image's SHELL before this step; defaults to /bin/sh -c. */
  shell?: readonly string[];
  /** The stage's ARGs so far, in declaration order, as resolveArgs returned them. */
  buildArgs?: readonly ResolvedArg[];
  /** The stage env (ENV + ARGs) before this step; RUN history shows these values for ARGs. */
  env?: EnvSource;
  /** The working directory before this step (WORKDIR resolves relative paths against it). */
  workingDir?: string;
}

/** The argv a RUN executes and, for a `#!` heredoc, the script BuildKit mounts at /dev/pipes. */
export interface ResolvedRun {
  args: string[];
  pipeFile?: { path: string; data: string };
}

/** BuildKit's dispatchRun argv: heredocs inlined or mounted, shell form wrapped in SHELL. */
export function resolveRunCommand(run: RunInstruction, shell: readonly string[] = defaultShell): ResolvedRun {
  let args = run.cmdLine ?? [];
  let pipeFile: ResolvedRun['pipeFile'];
  if (run.files.length > 0) {
    if (args.length !== 1 || !run.prependShell) throw new StrataError('invalid', `parsing produced an invalid run command: ${goList(args)}`);
    const first = run.files[0]!;
    if (mustParseHeredoc(args[0]!)) {
      const data = first.chomp ? chompHeredocContent(first.data) : first.data;
      if (first.data.startsWith('#!')) {
        pipeFile = { path: `/dev/pipes/${first.name}`, data };
        args = [pipeFile.path];
      } else {
        args = [data];
      }
    } else {
      // A command around heredocs: hand the shell the whole text, heredocs included.
      let full = args[0]!;
      for (const file of run.files) full += '\n' + file.data + file.name;
      args = [full];
    }
  }
  if (run.prependShell) args = withShell(shell, args);
  return pipeFile ? { args, pipeFile } : { args };
}

/** Shell form: SHELL followed by the command words joined into one string. */
export function withShell(shell: readonly string[], args: readonly string[]): string[] {
  return [...shell, args.join(' ')];
}

/**
 * BuildKit's runCommandString: ARGs in scope are prefixed as `|N k=v …` so that the history (and
 * cache key) records the values the command ran with. A repeated ARG keeps its first position.
 */
export function runCommandString(args: readonly string[], buildArgs: readonly ResolvedArg[], env: EnvSource = []): string {
  const getter = envFrom(env);
  const entries: string[] = [];
  const index = new Map<string, number>();
  for (const arg of buildArgs) {
    const value = getter.get(arg.key) ?? arg.value ?? '';
    const entry = `${arg.key}=${value}`;
    const at = index.get(arg.key);
    if (at === undefined) {
      index.set(arg.key, entries.length);
      entries.push(entry);
    } else {
      entries[at] = entry;
    }
  }
  const prefix = entries.length > 0 ? [`|${entries.length}`, ...entries] : [];
  return [...prefix, ...args].join(' ');
}

const protocols = new Set(['tcp', 'udp', 'sctp']);

/**
 * EXPOSE values → `port/proto` keys, as docker/go-connections nat.ParsePortSpecs does for the
 * container side: default tcp, ranges expanded, sorted.
 */
export function parseExposedPorts(ports: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of ports) {
    const slash = raw.indexOf('/');
    const proto = (slash < 0 || raw.slice(slash + 1) === '' ? 'tcp' : raw.slice(slash + 1)).toLowerCase();
    const spec = slash < 0 ? raw : raw.slice(0, slash);
    if (!protocols.has(proto)) throw new StrataError('invalid', `invalid proto: ${proto}`);
    const container = spec.slice(spec.lastIndexOf(':') + 1);
    const m = /^(\d+)(?:-(\d+))?$/.exec(container);
    if (!m) throw new StrataError('invalid', `invalid containerPort: ${container}`);
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    if (start > 65535 || end > 65535 || end < start) throw new StrataError('invalid', `invalid containerPort: ${container}`);
    for (let p = start; p <= end; p++) out.add(`${p}/${proto}`);
  }
  return [...out].sort();
}

/** `%q` of Docker's HealthcheckConfig pointer: `&{["CMD-SHELL" "…"] "30s" "0s" "0s" "0s" '\x03'}`. */
function healthString(h: HealthConfig): string {
  const durations = [h.interval, h.timeout, h.startPeriod, h.startInterval].map((d) => goQuote(formatGoDuration(d)));
  return `&{${goQuoteList(h.test)} ${durations.join(' ')} ${goQuoteRune(h.retries)}}`;
}

function entry(createdBy: string, withLayer: boolean, snapshot = false): HistoryEntry {
  // Steps that produce a filesystem snapshot carry BuildKit's marker.
  return { createdBy: snapshot ? `${createdBy} # buildkit` : createdBy, emptyLayer: !withLayer, comment: historyComment };
}

function copyMessage(c: Extract<Command, { kind: 'copy' | 'add' }>): string {
  let msg = c.kind === 'add' ? 'ADD' : 'COPY';
  if (c.kind === 'copy' && c.parents) msg += ' --parents';
  if (c.chown !== '') msg += ` --chown=${c.chown}`;
  if (c.chmod !== '') msg += ` --chmod=${c.chmod}`;
  for (const src of c.sourcePaths) msg += ` ${src}`;
  for (const content of c.sourceContents) msg += ` <<${content.path}`;
  return `${msg} ${c.destPath}`;
}

/**
 * The history entry BuildKit records for an (already expanded) instruction, or null when it
 * records none (ONBUILD only updates the config). ARG entries show the resolved values, so pass
 * the ArgInstruction with `args` replaced by resolveArgs' result.
 */
export function createdBy(cmd: Command, ctx: HistoryContext = {}): HistoryEntry | null {
  const shell = ctx.shell && ctx.shell.length > 0 ? ctx.shell : defaultShell;
  switch (cmd.kind) {
    case 'env':
      return entry('ENV' + cmd.env.map((kv) => ` ${kv.key}=${kv.value}`).join(''), false);
    case 'label':
      return entry('LABEL' + cmd.labels.map((kv) => ` ${kv.key}=${kv.value}`).join(''), false);
    case 'maintainer':
      return entry(`MAINTAINER ${cmd.maintainer}`, false);
    case 'run': {
      const { args } = resolveRunCommand(cmd, shell);
      return entry('RUN ' + runCommandString(args, ctx.buildArgs ?? [], ctx.env ?? []), true, true);
    }
    case 'copy':
    case 'add':
      return entry(copyMessage(cmd), true, true);
    case 'workdir': {
      const wd = normalizeWorkdir(ctx.workingDir ?? '/', cmd.path);
      return entry(`WORKDIR ${wd}`, wd !== '/');
    }
    case 'cmd':
    case 'entrypoint': {
      const args = cmd.prependShell ? withShell(shell, cmd.cmdLine ?? []) : (cmd.cmdLine ?? []);
      return entry(`${cmd.kind.toUpperCase()} ${goQuoteList(args)}`, false);
    }
    case 'healthcheck':
      return entry(`HEALTHCHECK ${healthString(cmd.health)}`, false);
    case 'expose':
      return entry(`EXPOSE ${goList(parseExposedPorts(cmd.ports))}`, false);
    case 'user':
      return entry(`USER ${cmd.user}`, false);
    case 'volume':
      return entry(`VOLUME ${goList(cmd.volumes)}`, false);
    case 'stopsignal':
      return entry(`STOPSIGNAL ${cmd.signal}`, false);
    case 'shell':
      return entry(`SHELL ${goList(cmd.shell)}`, false);
    case 'arg':
      return entry('ARG ' + cmd.args.map((a) => (a.value === undefined ? a.key : `${a.key}=${a.value}`)).join(' '), false);
    case 'onbuild':
      return null;
  }
}

/**
 * The step name BuildKit shows in progress output: the instruction text with variables expanded
 * (RUN keeps quotes and unset references) and the keyword upper-cased. Falls back to the raw text.
 */
export function progressName(cmd: Command, env: EnvSource, escapeToken = '\\'): string {
  const lex = cmd.kind === 'run'
    ? new ShellLex({ escapeToken, rawQuotes: true, skipUnsetEnv: true })
    : new ShellLex({ escapeToken });
  let text: string;
  try {
    text = lex.processWord(cmd.code, env);
  } catch {
    text = cmd.code;
  }
  const space = text.indexOf(' ');
  return space < 0 ? text.toUpperCase() : text.slice(0, space).toUpperCase() + text.slice(space);
}
