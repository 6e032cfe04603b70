/**
 * The engine the desktop shows: Strata's own store (the default) or an engine found the way docker
 * finds them (providers/discovery.ts). The choice is the user's, kept in Strata's config file beside
 * the CLI's context; the views reach the chosen engine through its Provider, and its `/events`
 * stream drives their refresh as the store's change feed does.
 */
import type { Engine } from '../engine/engine.ts';
import type { ChangeEvent } from '../../shared/types.ts';
import type { EngineEntry, Features } from '../../shared/contract.ts';
import type { DockerEvent } from '../../shared/docker-api.ts';
import { StrataError } from '../../shared/errors.ts';
import { DEFAULT_CONTEXT, desktopEngine, setDesktopEngine } from '../providers/contexts.ts';
import { discoverEngines, findEngines, type FoundEngine } from '../providers/discovery.ts';
import type { Provider } from '../providers/provider.ts';

const STORE_DESCRIPTION = 'Strata store';

/** Docker's event actions as the change kinds views refresh on. */
function changeOf(e: DockerEvent): ChangeEvent | undefined {
  const id = e.Actor?.ID ?? '';
  if (e.Type === 'image') {
    const action = ({ pull: 'added', load: 'added', import: 'added', commit: 'added', build: 'added', tag: 'tagged', untag: 'untagged', delete: 'removed', prune: 'removed' } as const)[e.Action as 'pull'];
    return action ? { kind: 'image', action, id } : undefined;
  }
  if (e.Type === 'container') {
    const verb = e.Action.split(':')[0]!;
    const action = ({ create: 'created', start: 'started', die: 'stopped', stop: 'stopped', kill: 'stopped', destroy: 'removed' } as const)[verb as 'create'] ?? 'changed';
    return { kind: 'container', action, id };
  }
  if (e.Type === 'builder') return { kind: 'build-cache', action: 'changed' };
  return undefined;
}

export class EngineSelection {
  private readonly engine: Engine;
  private readonly env: NodeJS.ProcessEnv;
  private chosen: { found: FoundEngine; provider: Provider } | undefined;
  private readonly listeners = new Set<(e: ChangeEvent) => void>();
  private following: AbortController | undefined;
  private readonly unsubscribe: () => void;
  /** Settles once the remembered engine was connected to (or found unreachable: then the store). */
  readonly ready: Promise<void>;

  constructor(engine: Engine, env: NodeJS.ProcessEnv = process.env) {
    this.engine = engine;
    this.env = env;
    this.unsubscribe = engine.bus.on((e) => {
      if (!this.chosen) this.emit(e);
    });
    const remembered = desktopEngine(env);
    this.ready = remembered === DEFAULT_CONTEXT ? Promise.resolve() : this.connect(remembered).catch(() => undefined);
  }

  /** The chosen engine's provider; undefined while the views show Strata's store. */
  provider(): Provider | undefined {
    return this.chosen?.provider;
  }

  current(): { id: string; kind: 'strata' | 'engine-api'; description: string } {
    return this.chosen
      ? { id: this.chosen.found.id, kind: 'engine-api', description: this.chosen.found.description }
      : { id: DEFAULT_CONTEXT, kind: 'strata', description: STORE_DESCRIPTION };
  }

  /** What the views may offer on the chosen engine: an Engine API provider has no import, run or container files yet. */
  features(base: Features): Features {
    if (!this.chosen) return base;
    return { ...base, import: false, build: true, pull: true, push: true, terminal: true, containers: true };
  }

  async list(): Promise<EngineEntry[]> {
    await this.ready;
    const current = this.current().id;
    // Podman's /version and /info run its OCI runtime: slow on a busy machine, so a generous bound.
    const found = await discoverEngines(this.env, 10_000, true);
    return [
      {
        id: DEFAULT_CONTEXT, kind: 'strata', source: 'strata', host: this.engine.root, description: STORE_DESCRIPTION,
        status: { state: 'reachable', apiVersion: '', version: '', os: process.platform, rootless: process.getuid?.() !== 0 }, current: current === DEFAULT_CONTEXT,
      },
      ...found.map((e): EngineEntry => ({
        id: e.id, kind: 'engine-api', source: e.source, host: e.endpoint.host, description: e.description, status: e.status, current: current === e.id,
      })),
    ];
  }

  /** Shows the views on `id` and remembers the choice; an engine that cannot be used is refused with its reason. */
  async use(id: string): Promise<EngineEntry> {
    await this.ready;
    if (id === DEFAULT_CONTEXT) this.disconnect();
    else await this.connect(id);
    setDesktopEngine(id, this.env);
    const entry = (await this.list()).find((e) => e.id === id);
    if (!entry) throw new StrataError('not-found', `no engine "${id}"`);
    return entry;
  }

  /** A provider for `id` apart from the views' choice (a copy's source or target); the caller closes it. */
  async open(id: string): Promise<Provider> {
    if (id === DEFAULT_CONTEXT) {
      const { StrataProvider } = await import('../providers/strata/provider.ts');
      return new StrataProvider(this.engine);
    }
    return (await this.dial(id)).provider;
  }

  private async dial(id: string): Promise<{ found: FoundEngine; provider: Provider }> {
    const found = findEngines(this.env).find((e) => e.id === id);
    if (!found) throw new StrataError('not-found', `no engine "${id}" (it is no longer found: DOCKER_HOST, docker's contexts and the known sockets were looked at)`);
    const { EngineApiProvider } = await import('../providers/engine-api/provider.ts');
    return { found, provider: await EngineApiProvider.connect(found.endpoint, found.id) };
  }

  private async connect(id: string): Promise<void> {
    const { found, provider } = await this.dial(id);
    this.disconnect();
    this.chosen = { found, provider };
    this.follow(provider);
  }

  private disconnect(): void {
    this.following?.abort();
    this.following = undefined;
    this.chosen?.provider.close();
    this.chosen = undefined;
  }

  /** The engine's `/events` as change events, until another engine is chosen. */
  private follow(provider: Provider): void {
    const abort = new AbortController();
    this.following = abort;
    void (async () => {
      try {
        for await (const e of provider.events({ signal: abort.signal })) {
          const change = changeOf(e);
          if (change && !abort.signal.aborted) this.emit(change);
        }
      } catch {
        // The engine went away: its views show the error on their next request.
      }
    })();
  }

  private emit(e: ChangeEvent): void {
    for (const l of this.listeners) l(e);
  }

  onChange(listener: (e: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unsubscribe();
    this.disconnect();
  }
}
