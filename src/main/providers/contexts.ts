import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { StrataError } from '../../shared/errors.ts';
import { dockerConfigDir } from '../engine/paths.ts';
import { readPems, type Endpoint } from './engine-api/endpoint.ts';

/**
 * Docker's context store, read and written in docker's own format so `docker context ls` and
 * `strata context ls` see the same contexts: `$DOCKER_CONFIG/contexts/meta/<sha256(name)>/meta.json`
 * ({Name, Metadata, Endpoints.docker.{Host, SkipTLSVerify}}) and TLS files under
 * `contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem`.
 *
 * Which context Strata uses is Strata's own choice (`strata context use`, kept in Strata's config
 * file), not docker's `currentContext`: Strata's default is its own store, and switching Strata must
 * not switch the docker CLI.
 */

/** The context that means Strata's own store. */
export const DEFAULT_CONTEXT = 'default';

export interface DockerContext {
  name: string;
  description: string;
  /** Endpoints.docker.Host */
  host: string;
  skipTlsVerify: boolean;
}

interface MetaFile {
  Name: string;
  Metadata?: { Description?: string; [k: string]: unknown };
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/;

/** A context's directory name. node:crypto is reached on use: every command reads the contexts, few name one. */
function nameDigest(name: string): string {
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(name).digest('hex');
}

function contextDir(name: string, env: NodeJS.ProcessEnv): string {
  return join(dockerConfigDir(env), 'contexts', 'meta', nameDigest(name));
}

function tlsDir(name: string, env: NodeJS.ProcessEnv): string {
  return join(dockerConfigDir(env), 'contexts', 'tls', nameDigest(name), 'docker');
}

function parseMeta(text: string): DockerContext | undefined {
  try {
    const m = JSON.parse(text) as MetaFile;
    if (typeof m.Name !== 'string') return undefined;
    return { name: m.Name, description: m.Metadata?.Description ?? '', host: m.Endpoints?.docker?.Host ?? '', skipTlsVerify: m.Endpoints?.docker?.SkipTLSVerify ?? false };
  } catch {
    return undefined;
  }
}

/** Every context in docker's store, sorted by name (unreadable meta files are skipped, as docker does). */
export function listContexts(env: NodeJS.ProcessEnv = process.env): DockerContext[] {
  const dir = join(dockerConfigDir(env), 'contexts', 'meta');
  if (!existsSync(dir)) return [];
  const out: DockerContext[] = [];
  for (const d of readdirSync(dir)) {
    const file = join(dir, d, 'meta.json');
    if (!existsSync(file)) continue;
    const ctx = parseMeta(readFileSync(file, 'utf8'));
    if (ctx) out.push(ctx);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function getContext(name: string, env: NodeJS.ProcessEnv = process.env): DockerContext {
  const file = join(contextDir(name, env), 'meta.json');
  const ctx = existsSync(file) ? parseMeta(readFileSync(file, 'utf8')) : undefined;
  if (!ctx) throw new StrataError('not-found', `context "${name}" does not exist`);
  return ctx;
}

/** The context's endpoint with its TLS material, as the docker CLI would dial it. */
export function contextEndpoint(ctx: DockerContext, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const pems = readPems(tlsDir(ctx.name, env));
  const hasTls = Boolean(pems.ca || pems.cert || pems.key) || ctx.skipTlsVerify;
  return { host: ctx.host, ...(hasTls ? { tls: { ...pems, verify: !ctx.skipTlsVerify } } : {}) };
}

/** `docker context create NAME --description D --docker host=URL[,skip-tls-verify=true]`. */
export function createContext(ctx: DockerContext, env: NodeJS.ProcessEnv = process.env): void {
  if (ctx.name === DEFAULT_CONTEXT) throw new StrataError('invalid', '"default" is a reserved context name');
  if (!NAME.test(ctx.name)) throw new StrataError('invalid', `context name "${ctx.name}" is invalid, names are validated against regexp "^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$"`);
  const dir = contextDir(ctx.name, env);
  if (existsSync(join(dir, 'meta.json'))) throw new StrataError('already-exists', `context "${ctx.name}" already exists`);
  const meta: MetaFile = {
    Name: ctx.name,
    Metadata: { Description: ctx.description },
    Endpoints: { docker: { Host: ctx.host, SkipTLSVerify: ctx.skipTlsVerify } },
  };
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = join(dir, `.meta.json.${process.pid}`);
  writeFileSync(tmp, JSON.stringify(meta), { mode: 0o644 });
  renameSync(tmp, join(dir, 'meta.json'));
}

/** Strata's own settings file: `$XDG_CONFIG_HOME/strata/config.json`. */
export function strataConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME ?? homedir(), '.config'), 'strata', 'config.json');
}

function readStrataConfig(env: NodeJS.ProcessEnv): Record<string, unknown> {
  try {
    const v = JSON.parse(readFileSync(strataConfigFile(env), 'utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The context Strata uses when no flag names one: STRATA_CONTEXT, then `strata context use`'s choice. */
export function currentContext(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STRATA_CONTEXT) return env.STRATA_CONTEXT;
  const v = readStrataConfig(env).currentContext;
  return typeof v === 'string' && v ? v : DEFAULT_CONTEXT;
}

export function useContext(name: string, env: NodeJS.ProcessEnv = process.env): void {
  if (name !== DEFAULT_CONTEXT) getContext(name, env);
  writeStrataSetting('currentContext', name, env);
}

/** The engine the desktop shows (an id of discovery's list), kept beside the CLI's context. */
export function desktopEngine(env: NodeJS.ProcessEnv = process.env): string {
  const v = readStrataConfig(env).desktopEngine;
  return typeof v === 'string' && v ? v : DEFAULT_CONTEXT;
}

export function setDesktopEngine(id: string, env: NodeJS.ProcessEnv = process.env): void {
  writeStrataSetting('desktopEngine', id, env);
}

function writeStrataSetting(key: string, value: string, env: NodeJS.ProcessEnv): void {
  const file = strataConfigFile(env);
  const config = readStrataConfig(env);
  config[key] = value;
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
