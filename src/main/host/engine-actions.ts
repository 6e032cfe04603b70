/**
 * The desktop's long work on an Engine API provider: pull and push (the same dialogs and progress
 * bars as for the Strata store, fed by the engine's progressDetail), build (engine-build.ts) and a
 * terminal on a running container (exec `sh` with a tty, or attach), through the same stream names
 * as the store's, so a view never knows which one it talks to.
 */
import type { BuildEvent, ProgressEvent, StreamParams } from '../../shared/contract.ts';
import { RESIZE_PREFIX } from '../../shared/contract.ts';
import type { DockerJsonMessage } from '../../shared/docker-api.ts';
import { StrataError } from '../../shared/errors.ts';
import { registryOf } from '../../shared/format.ts';
import { authKey } from '../engine/registry/credentials.ts';
import type { DigestCache } from '../engine/build/context.ts';
import type { Provider } from '../providers/provider.ts';
import type { EngineApiProvider } from '../providers/engine-api/provider.ts';
import { engineStreamError, openEngineTerminal, pullOnEngine, pushOnEngine, type EngineAuth } from '../providers/engine-api/desktop-calls.ts';
import { buildOnEngineProvider, type EngineBuildRecords } from './engine-build.ts';
import type { CredentialSetup } from './logins.ts';
import type { StreamContext } from './stream-context.ts';

/** The provider's Engine API client; only an engine's provider has one. */
function engineOf(p: Provider): EngineApiProvider {
  if (p.kind !== 'engine-api' || !('client' in p)) throw new StrataError('unsupported', `${p.name} does not speak the Engine API`);
  return p as EngineApiProvider;
}

/** The user's credentials for the registry `ref` names, as the engine takes them. */
async function authFor(credentials: CredentialSetup, ref: string): Promise<EngineAuth | undefined> {
  const registry = registryOf(ref);
  const c = await credentials.store.get(registry);
  if (!c) return undefined;
  return { username: c.username, password: c.password, ...(c.identityToken ? { identitytoken: c.identityToken } : {}), serveraddress: authKey(registry) };
}

/** Statuses that end an item: its bar shows full though the message carries no bytes. */
const ITEM_DONE = /^(Pull complete|Download complete|Already exists|Pushed|Layer already exists|Mounted from .*)$/;

/**
 * docker's JSON messages as the views' progress events: one bar per layer with the engine's
 * bytes/total (the views add speed and time left), each layer's total kept for its last line.
 */
export function engineProgress(): (m: DockerJsonMessage) => ProgressEvent {
  const totals = new Map<string, number>();
  return (m) => {
    if (m.error || m.errorDetail) throw engineStreamError((m.errorDetail?.message ?? m.error ?? 'the engine failed').trim());
    const id = m.id ?? '';
    const status = (m.status ?? m.stream ?? '').trim();
    const d = m.progressDetail;
    if (d?.total && d.total > 0) {
      totals.set(id, d.total);
      return { id, status, current: d.current ?? 0, total: d.total };
    }
    const total = totals.get(id);
    if (total !== undefined && ITEM_DONE.test(status)) return { id, status, current: total, total };
    return { id, status };
  };
}

async function pull(p: Provider, { ref }: StreamParams<'images.pull'>, ctx: StreamContext<ProgressEvent>, credentials: CredentialSetup): Promise<{ id: string }> {
  const engine = engineOf(p);
  const progress = engineProgress();
  for await (const m of pullOnEngine(await engine.client, ref, await authFor(credentials, ref), ctx.signal)) ctx.emit(progress(m));
  const inspect = (await engine.inspectImage(ref)) as { Id?: string };
  return { id: inspect.Id ?? '' };
}

async function push(p: Provider, { ref }: StreamParams<'images.push'>, ctx: StreamContext<ProgressEvent>, credentials: CredentialSetup): Promise<null> {
  const engine = engineOf(p);
  const progress = engineProgress();
  for await (const m of pushOnEngine(await engine.client, ref, await authFor(credentials, ref), ctx.signal)) ctx.emit(progress(m));
  return null;
}

/** A terminal on the engine's container: keystrokes in, output out, resizes as the view sends them. Cancelling closes it. */
async function terminal(p: Provider, params: StreamParams<'containers.terminal'>, ctx: StreamContext<{ data: string }>): Promise<{ exitCode: number }> {
  const engine = engineOf(p);
  const term = await openEngineTerminal(await engine.client, params.id, params.mode ?? 'exec', { cols: params.cols, rows: params.rows });
  void term.resize(params.cols, params.rows);
  const decoder = new TextDecoder();
  term.stream.on('data', (chunk: Buffer) => {
    if (!ctx.signal.aborted) ctx.emit({ data: decoder.decode(chunk, { stream: true }) });
  });
  ctx.onInput((data) => {
    if (data.startsWith(RESIZE_PREFIX)) {
      const [cols, rows] = data.slice(RESIZE_PREFIX.length).split('x').map(Number);
      if (cols && rows && cols < 1000 && rows < 1000) void term.resize(cols, rows);
    } else term.stream.write(data);
  });
  const ended = new Promise<void>((resolve) => {
    term.stream.once('end', resolve);
    term.stream.once('close', resolve);
    term.stream.once('error', () => resolve());
  });
  const detached = new Promise<'detached'>((resolve) => ctx.signal.addEventListener('abort', () => resolve('detached'), { once: true }));
  const how = await Promise.race([ended, detached]);
  if (how === 'detached') {
    term.stream.destroy();
    return { exitCode: -1 };
  }
  return { exitCode: await term.exitCode() };
}

export interface EngineActionSetup {
  credentials: CredentialSetup;
  builds: EngineBuildRecords;
  digests?: DigestCache;
}

export function engineActionStreams(setup: EngineActionSetup): {
  'images.pull': (p: Provider, params: StreamParams<'images.pull'>, ctx: StreamContext<ProgressEvent>) => Promise<{ id: string }>;
  'images.push': (p: Provider, params: StreamParams<'images.push'>, ctx: StreamContext<ProgressEvent>) => Promise<null>;
  'build.run': (p: Provider, params: StreamParams<'build.run'>, ctx: StreamContext<BuildEvent>) => Promise<{ id: string; buildId: string }>;
  'containers.terminal': (p: Provider, params: StreamParams<'containers.terminal'>, ctx: StreamContext<{ data: string }>) => Promise<{ exitCode: number }>;
} {
  return {
    'images.pull': (p, params, ctx) => pull(p, params, ctx, setup.credentials),
    'images.push': (p, params, ctx) => push(p, params, ctx, setup.credentials),
    'build.run': (p, params, ctx) => buildOnEngineProvider(engineOf(p), params, ctx, setup.builds, setup.digests),
    'containers.terminal': terminal,
  };
}
