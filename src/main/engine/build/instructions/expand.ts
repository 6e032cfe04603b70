/**
 * Variable expansion exactly where BuildKit applies it (dockerfile2llb dispatch):
 *   expanded: ENV, LABEL, WORKDIR, USER, VOLUME, STOPSIGNAL, COPY/ADD (sources, destination,
 *             --chown, --chmod, --checksum, --exclude), RUN --mount values except `from`,
 *             EXPOSE (expanded and word-split), FROM (with global ARGs only), ARG (see resolveArgs);
 *   literal:  RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK commands (the shell expands them at run time),
 *             MAINTAINER, ONBUILD (expanded when the trigger runs in the child build), and
 *             COPY --from / RUN --mount from= (BuildKit resolves stages before any expansion, so
 *             `--from=$X` fails there as an invalid reference).
 * Heredoc sources of COPY/ADD with unquoted names are expanded keeping quotes intact.
 */
import { ShellLex, envFrom, type EnvGetter, type EnvSource } from '../shell/lex.ts';
import { cleanPath } from '../dockerignore/gopath.ts';
import { DockerfileParseError } from '../parser/errors.ts';
import type { ArgInstruction, Command, KeyValuePairOptional, Location, Stage } from './types.ts';
import { StrataError } from '../../../../shared/errors.ts';

export interface ExpandOptions {
  /** The Dockerfile's escape token (ParseResult.escapeToken). */
  escapeToken?: string;
}

/** Runs `fn`, turning expansion errors into parse errors on the instruction's lines. */
function atLocation<T>(location: Location, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DockerfileParseError) throw err;
    throw new DockerfileParseError((err as Error).message, location.startLine, location.endLine);
  }
}

/**
 * Returns a copy of `cmd` with variables expanded from `env` (the stage's ENV plus ARGs in scope)
 * where BuildKit expands them. ARG is returned unchanged: use resolveArgs, which also applies
 * --build-arg values and global defaults.
 */
export function expandInstruction<T extends Command>(cmd: T, env: EnvSource, opts: ExpandOptions = {}): T {
  const getter = envFrom(env);
  const lex = new ShellLex({ escapeToken: opts.escapeToken ?? '\\' });
  const word = (w: string): string => lex.processWord(w, getter);
  const expanded = atLocation(cmd.location, () => expandWith(structuredClone(cmd), word, getter, lex));
  return expandHeredocContents(expanded, getter);
}

function expandWith<T extends Command>(c: T, word: (w: string) => string, env: EnvGetter, lex: ShellLex): T {
  switch (c.kind) {
    case 'env':
      c.env = c.env.map((kv) => ({ ...kv, key: word(kv.key), value: word(kv.value) }));
      break;
    case 'label':
      c.labels = c.labels.map((kv) => ({ ...kv, key: word(kv.key), value: word(kv.value) }));
      break;
    case 'workdir':
      c.path = word(c.path);
      break;
    case 'user':
      c.user = word(c.user);
      break;
    case 'volume':
      c.volumes = c.volumes.map(word);
      break;
    case 'stopsignal':
      c.signal = word(c.signal);
      break;
    case 'expose':
      c.ports = c.ports.flatMap((p) => lex.processWords(p, env));
      break;
    case 'copy':
      expandCopyCommon(c, word);
      break;
    case 'add':
      c.checksum = word(c.checksum);
      expandCopyCommon(c, word);
      break;
    case 'run':
      c.mounts = c.mounts.map((m) => expandMount(m, word));
      break;
    default:
      break;
  }
  return c;
}

interface CopyLike {
  chown: string;
  chmod: string;
  excludePatterns: string[];
  sourcePaths: string[];
  destPath: string;
}

function expandCopyCommon(c: CopyLike, word: (w: string) => string): void {
  c.chown = word(c.chown);
  c.chmod = word(c.chmod);
  c.excludePatterns = c.excludePatterns.map(word);
  c.sourcePaths = c.sourcePaths.map(word);
  c.destPath = word(c.destPath);
}

/** `--mount` is CSV; each value is expanded on its own, as BuildKit does after splitting. */
function expandMount(mount: string, word: (w: string) => string): string {
  return mount
    .split(',')
    .map((field) => {
      const eq = field.indexOf('=');
      if (eq < 0 || field.slice(0, eq).toLowerCase() === 'from') return field;
      return field.slice(0, eq + 1) + word(field.slice(eq + 1));
    })
    .join(',');
}

/**
 * Expands unquoted-heredoc sources of COPY/ADD: only `$` is special, quotes stay (the content is
 * a file, not Dockerfile words). BuildKit always uses `\` as the escape here.
 */
function expandHeredocContents<T extends Command>(cmd: T, env: EnvGetter): T {
  if (cmd.kind !== 'copy' && cmd.kind !== 'add') return cmd;
  const lex = new ShellLex({ skipProcessQuotes: true });
  const target = cmd as Extract<Command, { kind: 'copy' | 'add' }>;
  atLocation(cmd.location, () => {
    target.sourceContents = target.sourceContents.map((c) => (c.expand ? { ...c, data: lex.processWord(c.data, env) } : c));
  });
  return cmd;
}

/** A resolved ARG: `value` undefined when the ARG has neither a default nor a build-arg. */
export type ResolvedArg = KeyValuePairOptional;

/**
 * Resolves the ARGs before the first FROM. A --build-arg wins and its default is never evaluated;
 * otherwise the default is expanded with the globals declared so far. `builtins` are automatic
 * args such as TARGETPLATFORM, visible to global defaults.
 */
export function resolveMetaArgs(
  metaArgs: readonly ArgInstruction[],
  buildArgs: Readonly<Record<string, string>> = {},
  builtins: Readonly<Record<string, string>> = {},
  opts: ExpandOptions = {},
): { args: ResolvedArg[]; env: Map<string, string> } {
  const env = new Map<string, string>(Object.entries(builtins));
  const lex = new ShellLex({ escapeToken: opts.escapeToken ?? '\\' });
  const args: ResolvedArg[] = [];
  for (const cmd of metaArgs) {
    for (const arg of cmd.args) {
      const resolved: ResolvedArg = { ...arg };
      if (Object.hasOwn(buildArgs, arg.key)) resolved.value = buildArgs[arg.key]!;
      else if (arg.value !== undefined) resolved.value = atLocation(cmd.location, () => lex.processWord(arg.value!, env));
      if (resolved.value !== undefined) env.set(arg.key, resolved.value);
      args.push(resolved);
    }
  }
  return { args, env };
}

/**
 * Resolves the ARGs of one in-stage ARG instruction (BuildKit's dispatchArg): a --build-arg wins;
 * else the default is expanded with the stage env; an ARG without default inherits the global
 * ARG of the same name. The builder then adds each defined value to the stage env (ENV wins over
 * ARG of the same name) and appends the results to the stage's build args for RUN history.
 */
export function resolveArgs(
  cmd: ArgInstruction,
  ctx: { buildArgs?: Readonly<Record<string, string>>; metaArgs?: readonly ResolvedArg[]; env: EnvSource },
  opts: ExpandOptions = {},
): ResolvedArg[] {
  const buildArgs = ctx.buildArgs ?? {};
  const lex = new ShellLex({ escapeToken: opts.escapeToken ?? '\\' });
  const env = envFrom(ctx.env);
  return cmd.args.map((arg) => {
    const resolved: ResolvedArg = { ...arg };
    const hasValue = Object.hasOwn(buildArgs, arg.key);
    if (!hasValue && arg.value === undefined) {
      for (const meta of ctx.metaArgs ?? []) {
        if (meta.key !== arg.key) continue;
        if (meta.value === undefined) delete resolved.value;
        else resolved.value = meta.value;
      }
      return resolved;
    }
    if (hasValue) resolved.value = buildArgs[arg.key]!;
    else resolved.value = atLocation(cmd.location, () => lex.processWord(arg.value!, env));
    return resolved;
  });
}

/** FROM's base name and platform, expanded with the global ARGs only. */
export function expandStage(stage: Stage, metaEnv: EnvSource, opts: ExpandOptions = {}): { baseName: string; platform: string } {
  const lex = new ShellLex({ escapeToken: opts.escapeToken ?? '\\' });
  return atLocation(stage.location, () => {
    const baseName = lex.processWord(stage.baseName, metaEnv);
    if (baseName === '') throw new StrataError('invalid', `base name (${stage.baseName}) should not be blank`);
    return { baseName, platform: stage.platform === '' ? '' : lex.processWord(stage.platform, metaEnv) };
  });
}

/** BuildKit's NormalizeWorkdir: relative paths are joined to the current directory. */
export function normalizeWorkdir(current: string, path: string): string {
  if (path === '') throw new StrataError('invalid', 'cannot normalize empty path');
  return cleanPath(path.startsWith('/') ? path : `/${current}/${path}`);
}
