import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StrataError } from '../../shared/errors.ts';
import { contextEndpoint, DEFAULT_CONTEXT, getContext, listContexts } from './contexts.ts';
import { tlsFromEnv, type Endpoint } from './engine-api/endpoint.ts';
import type { EngineState } from './provider.ts';

/** Where an engine was found, in docker's order of precedence. */
export type EngineSource = 'DOCKER_HOST' | 'context' | 'docker' | 'docker-rootless' | 'podman-rootless' | 'podman';

export interface FoundEngine {
  /** A stable id for the UI and `--context`: the context name, or the source. */
  id: string;
  source: EngineSource;
  endpoint: Endpoint;
  description: string;
}

export interface DiscoveredEngine extends FoundEngine {
  status: EngineState;
}

/**
 * Every engine docker would find, without talking to any: DOCKER_HOST, docker's contexts, the system
 * socket, rootless Docker's, then Podman's (rootless, then rootful). The well-known sockets are listed
 * only when they exist; an endpoint found twice is listed once, under its first source.
 */
export function findEngines(env: NodeJS.ProcessEnv = process.env): FoundEngine[] {
  const found: FoundEngine[] = [];
  const add = (e: FoundEngine): void => {
    if (!found.some((f) => f.endpoint.host === e.endpoint.host)) found.push(e);
  };
  if (env.DOCKER_HOST) add({ id: 'DOCKER_HOST', source: 'DOCKER_HOST', endpoint: hostEndpoint(env.DOCKER_HOST, env), description: 'DOCKER_HOST' });
  for (const ctx of listContexts(env)) {
    if (ctx.host) add({ id: ctx.name, source: 'context', endpoint: contextEndpoint(ctx, env), description: ctx.description || `docker context ${ctx.name}` });
  }
  const sockets: [EngineSource, string, string][] = [
    ['docker', '/var/run/docker.sock', 'Docker'],
    ...(env.XDG_RUNTIME_DIR ? [['docker-rootless', join(env.XDG_RUNTIME_DIR, 'docker.sock'), 'Docker (rootless)'] as [EngineSource, string, string]] : []),
    ...(env.XDG_RUNTIME_DIR ? [['podman-rootless', join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock'), 'Podman (rootless)'] as [EngineSource, string, string]] : []),
    ['podman', '/run/podman/podman.sock', 'Podman'],
  ];
  for (const [source, path, description] of sockets) {
    if (existsSync(path)) add({ id: source, source, endpoint: { host: `unix://${path}` }, description });
  }
  return found;
}

/**
 * findEngines, each looked at (in parallel): reachable, permission denied (with the fix), too old,
 * unreachable. With `detail`, a reachable one also says whether it runs rootless.
 */
export async function discoverEngines(env: NodeJS.ProcessEnv = process.env, timeoutMs = 3000, detail = false): Promise<DiscoveredEngine[]> {
  const { probe } = await import('./engine-api/provider.ts');
  return Promise.all(findEngines(env).map(async (e) => ({ ...e, status: await probe(e.endpoint, timeoutMs, detail) })));
}

/** `-H URL`: TLS from the environment for tcp://, as the docker CLI. */
export function hostEndpoint(host: string, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const tls = host.startsWith('tcp://') ? tlsFromEnv(env) : undefined;
  return { host, ...(tls ? { tls } : {}) };
}

/**
 * Which engine a command talks to: `-H` first, then `--context`, then the current context.
 * undefined means Strata's own store (the "default" context).
 */
export function selectEndpoint(o: { host?: string; context?: string; current: string }, env: NodeJS.ProcessEnv = process.env): { name: string; endpoint: Endpoint } | undefined {
  if (o.host) return { name: o.host, endpoint: hostEndpoint(o.host, env) };
  const name = o.context ?? o.current;
  if (name === DEFAULT_CONTEXT) return undefined;
  const ctx = getContext(name, env);
  if (!ctx.host) throw new StrataError('invalid', `context "${name}" has no docker endpoint`);
  return { name, endpoint: contextEndpoint(ctx, env) };
}
