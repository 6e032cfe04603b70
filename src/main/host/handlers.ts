/**
 * The contract implemented against the engine. Electron main and the browser host construct one
 * of these over the same Engine and hand it to a HostSession per window/tab. Handlers receive
 * already-validated params (see shared/validate.ts).
 */
import type { Engine } from '../engine/engine.ts';
import type { ChangeEvent } from '../engine/events/change-bus.ts';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSpaceReserve, releaseSpaceReserve } from '../engine/metadata/db.ts';
import { loadImages } from '../engine/archive/load.ts';
import { saveImages, selectImages } from '../engine/archive/save.ts';
import { importImage } from '../engine/archive/import.ts';
import { prepareInBackground } from '../engine/snapshot/prepare.ts';
import { imageHistory } from '../engine/image/history.ts';
import { inspectImage } from '../engine/image/inspect.ts';
import { removeImage, pruneImages } from '../engine/image/prune.ts';
import { diskUsage } from '../engine/usage/disk-usage.ts';
import { storeDiskUsage } from '../engine/usage/store-disk.ts';
import { listImages as engineListImages } from '../engine/image/list.ts';
import type {
  AppInfo, DialogResult, Features, ParamsOf, RequestName, ResultOf, StreamEventOf, StreamName, StreamParams, StreamResult,
} from '../../shared/contract.ts';
import { imageDetail, listImages } from './image-views.ts';
import { imageLayers, layerTree, sharedLayers } from '../engine/image/layers.ts';
import { prunePreview, pruneActions, removePreview, runPruneAction } from './prune-preview.ts';
import { listFolders, recentFolders } from './folders.ts';
import { inspectContext, writeDockerfile } from './build-context.ts';
import { buildHistory, runBuild } from './build-host.ts';
import { pull } from '../engine/registry/pull.ts';
import { push } from '../engine/registry/push.ts';
import * as containers from './containers-host.ts';
import { DockerConfigCredentialStore, type CredentialStore } from '../engine/registry/credentials.ts';
import { listLogins, loginToRegistry, logoutFromRegistry, type CredentialSetup } from './logins.ts';
import type { StreamContext } from './stream-context.ts';
import { StrataError } from '../../shared/errors.ts';
import { sandboxUnavailable } from '../engine/runtime/sandbox.ts';
import { idMapping, subordinateFix } from '../engine/snapshot/idmap.ts';
import { EngineSelection } from './engines-host.ts';
import { ServiceSwitch } from './service-host.ts';
import { copyImage, engineHandlers } from './engine-views.ts';
import { EngineLayerIndex } from '../providers/engine-api/layer-index.ts';
import { engineActionStreams } from './engine-actions.ts';
import { EngineBuildRecords } from './engine-build.ts';
import { fileDigestCache } from '../engine/build/cache.ts';

export type RequestHandlers = { [K in RequestName]: (params: ParamsOf<K>) => ResultOf<K> | Promise<ResultOf<K>> };
export type StreamHandlers = {
  [K in StreamName]: (params: StreamParams<K>, ctx: StreamContext<StreamEventOf<K>>) => Promise<StreamResult<K>>;
};

export interface Handlers {
  requests: RequestHandlers;
  streams: StreamHandlers;
  onChange(listener: (event: ChangeEvent) => void): () => void;
  /** Stops following the chosen engine's events. */
  close(): void;
}

/** Native dialogs exist only in Electron; the browser host asks for paths in a text field. */
export interface Dialogs {
  openFolder(title: string): Promise<DialogResult>;
  openFile(title: string): Promise<DialogResult>;
  saveFile(title: string, defaultName: string): Promise<DialogResult>;
}

export interface HandlerOptions {
  host: AppInfo['host'];
  version?: string;
  dialogs?: Dialogs;
  /** Registry credentials for pull, push and login; docker's config.json (as the CLI) when absent. */
  credentials?: CredentialStore;
  /** Why this host cannot store secrets right now (Electron without an OS keychain). */
  credentialsUnavailable?: () => string | undefined;
  /** Where engines are found and the user's choice is kept (DOCKER_HOST, DOCKER_CONFIG, XDG_*); process.env when absent. */
  env?: NodeJS.ProcessEnv;
}

/** Requests that mean the same whichever engine the views show. */
const ENGINE_NEUTRAL = new Set<string>([
  'app.info', 'engines.list', 'engines.use', 'service.status', 'service.toggle', 'build.context', 'build.writeDockerfile', 'build.folders', 'build.recent', 'registry.logins', 'registry.login', 'registry.logout',
  'dialog.openFolder', 'dialog.openFile', 'dialog.saveFile',
]);
const ENGINE_NEUTRAL_STREAMS = new Set<string>(['images.copy']);

function notOnEngine(name: string, engineId: string): never {
  throw new StrataError('unsupported', `${name} is not supported against an Engine API provider yet (${engineId}): switch to the Strata store for it`, { details: { engine: engineId } });
}

function unsupported(what: string): never {
  throw new StrataError('unsupported', `${what} is not available in this version of the engine`);
}

/** What this host can do here: containers need the sandbox (probed once per process, then cached). */
export function features(options: HandlerOptions): Features {
  const sandbox = sandboxUnavailable();
  return {
    load: true,
    save: true,
    import: true,
    build: true,
    containers: sandbox === undefined,
    terminal: sandbox === undefined,
    ...(sandbox ? { containersUnavailable: sandbox } : {}),
    ...idMappingFeature(),
    pull: true,
    push: true,
    nativeDialogs: options.dialogs !== undefined,
  };
}

/** The engine's user ID mapping, for the About and Disk views ("limited" without subordinate IDs). */
function idMappingFeature(): Pick<Features, 'idMapping' | 'idMappingFix'> {
  const m = idMapping();
  return { idMapping: m.mode, ...(m.mode === 'single' ? { idMappingFix: subordinateFix(m.user) } : {}) };
}

export function createHandlers(engine: Engine, options: HandlerOptions): Handlers {
  const resolve = (ref: string): string => engine.images.resolve(ref);
  // Removing frees space even on a full disk: the store's reserve makes room for the database's own writes.
  const dbFile = join(engine.root, 'strata.db');
  const freeingSpace = async <T>(fn: () => Promise<T>): Promise<T> => {
    releaseSpaceReserve(dbFile);
    try {
      return await fn();
    } finally {
      ensureSpaceReserve(dbFile);
    }
  };
  const dialogs = options.dialogs;
  const credentials: CredentialSetup = {
    store: options.credentials ?? new DockerConfigCredentialStore(),
    ...(options.credentialsUnavailable ? { unavailable: options.credentialsUnavailable } : {}),
  };

  const selection = new EngineSelection(engine, options.env ?? process.env);
  const service = new ServiceSwitch(engine, options.env ?? process.env);
  const storedLayer = engine.db.prepare('SELECT size FROM layers WHERE diff_id = ?');
  const layerIndex = new EngineLayerIndex(join(engine.root, 'cache', 'engine-layers'), (diffId) => {
    // A layer Strata's store holds was indexed when it was stored.
    const rec = storedLayer.get(diffId) as { size: number } | undefined;
    return rec ? { diffId, tarSize: rec.size, files: engine.images.layerFiles(diffId) } : undefined;
  });
  const onEngine = engineHandlers(layerIndex);
  Object.assign(onEngine.streams, engineActionStreams({
    credentials, builds: new EngineBuildRecords(join(engine.root, 'cache', 'engine-builds')), digests: fileDigestCache(engine.db),
  }));

  const requests: RequestHandlers = {
    'app.info': () => ({
      host: options.host,
      root: engine.root,
      version: options.version ?? '0.1.0',
      platform: process.platform,
      features: selection.features(features(options)),
      engine: selection.current(),
    }),
    'engines.list': () => selection.list(),
    'engines.use': ({ id }) => selection.use(id),
    'service.status': () => service.status(),
    'service.toggle': ({ running }) => (running ? service.start() : service.stop()),
    'images.list': () => listImages(engine),
    'images.inspect': ({ ref }) => ({ ...imageDetail(engine, resolve(ref)), inspect: inspectImage(engine, ref) }),
    'images.history': ({ ref }) => imageHistory(engine, ref),
    'images.layers': ({ ref }) => imageLayers(engine, resolve(ref)),
    'images.layerTree': ({ ref, position }) => layerTree(engine, resolve(ref), position),
    'images.tag': ({ source, target }) => {
      engine.images.tag(source, target);
      return null;
    },
    'images.remove': ({ refs, force }) => freeingSpace(async () => {
      const items = refs.flatMap((r) => removeImage(engine, r, { force }));
      await engine.gc.collect();
      return items;
    }),
    'images.prunePreview': ({ all }) => prunePreview(engine, all),
    'images.removePreview': ({ refs }) => removePreview(engine, refs),
    'images.prune': ({ all }) => freeingSpace(() => pruneImages(engine, { all })),
    'system.df': async () => {
      const { summary, ...usage } = diskUsage(engine);
      // What `images` lists (intermediate images hidden), each with its full size.
      const imagesTotal = engineListImages(engine).reduce((n, i) => n + i.size, 0);
      return { usage, rows: summary, imagesTotal, disk: await storeDiskUsage(engine) };
    },
    'system.layers': () => sharedLayers(engine),
    'system.prunePreview': () => pruneActions(engine),
    'system.prune': ({ action }) => runPruneAction(engine, action),
    'build.context': ({ path, dockerfile }) => inspectContext(path, dockerfile),
    'build.writeDockerfile': ({ path, dockerfile, text }) => {
      writeDockerfile(path, dockerfile, text);
      return null;
    },
    'files.browse': ({ path, root, archives }) => listFolders(path, undefined, { ...(root !== undefined ? { root } : {}), ...(archives !== undefined ? { archives } : {}) }),
    'build.recent': () => recentFolders(engine),
    'build.history': ({ path, dockerfile }) => buildHistory(engine, path, dockerfile),
    'containers.list': ({ all }) => containers.listContainers(engine, all),
    'containers.create': (p) => containers.createContainer(engine, p),
    'containers.remove': ({ id, force }) => freeingSpace(async () => {
      await engine.containers.remove(id, { force });
      return null;
    }),
    'containers.stop': async ({ id }) => {
      await engine.containers.stop(id);
      return null;
    },
    'containers.start': async ({ id }) => {
      await containers.startContainer(engine, id);
      return null;
    },
    'containers.restart': async ({ id }) => {
      await containers.restartContainer(engine, id);
      return null;
    },
    'containers.inspect': ({ id }) => containers.inspectContainer(engine, id),
    'containers.files': ({ id, dir }) => containers.listFiles(engine, id, dir),
    'containers.readFile': ({ id, path }) => containers.readFile(engine, id, path),
    'containers.writeFile': async ({ id, path, text }) => {
      await containers.writeFile(engine, id, path, text);
      return null;
    },
    'containers.diff': ({ id }) => containers.diff(engine, id),
    'containers.commit': (p) => containers.commit(engine, p),
    'images.env': ({ ref }) => {
      const d = imageDetail(engine, resolve(ref));
      return { env: d.env, cmd: d.cmd, entrypoint: d.entrypoint };
    },
    'registry.logins': () => listLogins(credentials),
    'registry.login': (params) => loginToRegistry(engine, credentials, params),
    'registry.logout': ({ registry }) => logoutFromRegistry(engine, credentials, registry),
    'dialog.openFolder': ({ title }) => (dialogs ? dialogs.openFolder(title) : unsupported('a native folder picker')),
    'dialog.openFile': ({ title }) => (dialogs ? dialogs.openFile(title) : unsupported('a native file picker')),
    'dialog.saveFile': ({ title, defaultName }) => (dialogs ? dialogs.saveFile(title, defaultName) : unsupported('a native save dialog')),
  };

  const streams: StreamHandlers = {
    'images.load': async ({ path }, ctx) => {
      const res = await loadImages(engine, { path }, { onProgress: (e) => ctx.emit(e), signal: ctx.signal });
      prepareInBackground(engine, res.images.map((i) => i.id));
      return { loaded: res.images.map((i) => (i.repoTags.length > 0 ? i.repoTags.join(', ') : i.id)) };
    },
    'images.save': async ({ refs, path }, ctx) => {
      const selection = selectImages(engine, refs);
      // Written beside the target and renamed at the end: a cancelled save leaves no half archive.
      const tmp = `${path}.strata-${process.pid}.tmp`;
      try {
        await saveImages(engine, selection, createWriteStream(tmp), { onProgress: (e) => ctx.emit(e), signal: ctx.signal });
        renameSync(tmp, path);
      } finally {
        rmSync(tmp, { force: true });
      }
      return null;
    },
    'images.import': async ({ path, ref }, ctx) => {
      ctx.emit({ id: '', status: 'Importing' });
      const rec = await importImage(engine, { path }, ref ? { reference: ref } : {});
      prepareInBackground(engine, [rec.id]);
      return { id: rec.id };
    },
    'images.pull': async ({ ref }, ctx) => {
      const res = await pull(engine, ref, { onProgress: (e) => ctx.emit(e), signal: ctx.signal, credentials: credentials.store });
      prepareInBackground(engine, [res.image.id]);
      return { id: res.image.id };
    },
    'images.push': async ({ ref }, ctx) => {
      await push(engine, ref, { onProgress: (e) => ctx.emit(e), signal: ctx.signal, credentials: credentials.store });
      return null;
    },
    'build.run': (params, ctx) => runBuild(engine, params, ctx),
    'containers.terminal': (p, ctx) => containers.terminal(engine, p, ctx),
    'containers.logs': (p, ctx) => containers.logs(engine, p, ctx),
    'images.copy': async ({ ref, from, to }, ctx) => {
      if (from === to) throw new StrataError('invalid', 'an image is copied between two different engines');
      const source = await selection.open(from);
      try {
        const target = await selection.open(to);
        try {
          return await copyImage(source, target, ref, ctx);
        } finally {
          target.close();
        }
      } finally {
        source.close();
      }
    },
  };

  return {
    requests: routeRequests(requests, selection, onEngine.requests),
    streams: routeStreams(streams, selection, onEngine.streams),
    onChange: (l) => selection.onChange(l),
    close: () => {
      selection.close();
      void service.stop();
    },
  };
}

/** Each request to the store's handler, or, while the views show an engine, to its provider's (or refused). */
function routeRequests(store: RequestHandlers, selection: EngineSelection, onEngine: ReturnType<typeof engineHandlers>['requests']): RequestHandlers {
  const routed: Record<string, (params: unknown) => unknown> = {};
  for (const [name, handler] of Object.entries(store) as [RequestName, (params: unknown) => unknown][]) {
    routed[name] = async (params: unknown) => {
      await selection.ready;
      const provider = selection.provider();
      if (!provider || ENGINE_NEUTRAL.has(name)) return handler(params);
      const viaEngine = onEngine[name] as ((p: typeof provider, params: unknown) => unknown) | undefined;
      return viaEngine ? viaEngine(provider, params) : notOnEngine(name, selection.current().id);
    };
  }
  return routed as RequestHandlers;
}

function routeStreams(store: StreamHandlers, selection: EngineSelection, onEngine: ReturnType<typeof engineHandlers>['streams']): StreamHandlers {
  const routed: Record<string, (params: unknown, ctx: StreamContext<unknown>) => Promise<unknown>> = {};
  for (const [name, handler] of Object.entries(store) as [StreamName, (params: unknown, ctx: StreamContext<unknown>) => Promise<unknown>][]) {
    routed[name] = async (params, ctx) => {
      await selection.ready;
      const provider = selection.provider();
      if (!provider || ENGINE_NEUTRAL_STREAMS.has(name)) return handler(params, ctx);
      const viaEngine = onEngine[name] as ((p: typeof provider, params: unknown, ctx: StreamContext<unknown>) => Promise<unknown>) | undefined;
      return viaEngine ? viaEngine(provider, params, ctx) : notOnEngine(name, selection.current().id);
    };
  }
  return routed as StreamHandlers;
}
