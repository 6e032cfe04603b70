/**
 * The contract implemented against the engine. Electron main and the browser host construct one
 * of these over the same Engine and hand it to a HostSession per window/tab. Handlers receive
 * already-validated params (see shared/validate.ts).
 */
import type { Engine } from '../engine/engine.ts';
import type { ChangeEvent } from '../engine/events.ts';
import { loadImages } from '../engine/archive/load.ts';
import type {
  AppInfo, DialogResult, Features, ParamsOf, RequestName, ResultOf, StreamEventOf, StreamName, StreamParams, StreamResult,
} from '../../shared/contract.ts';
import { imageDetail, imageLayers, layerTree, listImages, sharedLayers } from './image-views.ts';
import { historyOf, prunePreview, systemDf } from './fallbacks.ts';
import { inspectContext, writeDockerfile } from './build-context.ts';
import { UnsupportedError, type StreamContext } from './session.ts';

export type RequestHandlers = { [K in RequestName]: (params: ParamsOf<K>) => ResultOf<K> | Promise<ResultOf<K>> };
export type StreamHandlers = {
  [K in StreamName]: (params: StreamParams<K>, ctx: StreamContext<StreamEventOf<K>>) => Promise<StreamResult<K>>;
};

export interface Handlers {
  requests: RequestHandlers;
  streams: StreamHandlers;
  onChange(listener: (event: ChangeEvent) => void): () => void;
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
}

function unsupported(what: string): never {
  throw new UnsupportedError(`${what} is not available in this version of the engine`);
}

export function features(options: HandlerOptions): Features {
  return {
    load: true,
    save: false,
    import: false,
    build: false,
    containers: false,
    terminal: false,
    pull: false,
    push: false,
    nativeDialogs: options.dialogs !== undefined,
  };
}

export function createHandlers(engine: Engine, options: HandlerOptions): Handlers {
  const resolve = (ref: string): string => engine.images.resolve(ref);
  const dialogs = options.dialogs;

  const requests: RequestHandlers = {
    'app.info': () => ({
      host: options.host,
      root: engine.root,
      version: options.version ?? '0.1.0',
      platform: process.platform,
      features: features(options),
    }),
    'images.list': () => listImages(engine),
    'images.inspect': ({ ref }) => imageDetail(engine, resolve(ref)),
    'images.history': ({ ref }) => historyOf(engine, resolve(ref)),
    'images.layers': ({ ref }) => imageLayers(engine, resolve(ref)),
    'images.layerTree': ({ ref, position }) => layerTree(engine, resolve(ref), position),
    'images.tag': ({ source, target }) => {
      engine.images.tag(source, target);
      return null;
    },
    'images.remove': ({ refs, force }) => refs.flatMap((r) => engine.images.remove(r, { force })),
    'images.prunePreview': ({ all }) => prunePreview(engine, all),
    'images.prune': async ({ all }) => {
      const preview = prunePreview(engine, all);
      const deleted = preview.images.flatMap((i) => engine.images.remove(i.id, { force: false }));
      await engine.gc.collect();
      return { deleted, spaceReclaimed: preview.spaceReclaimed };
    },
    'system.df': () => systemDf(engine),
    'system.layers': () => sharedLayers(engine),
    'build.context': ({ path, dockerfile }) => inspectContext(path, dockerfile),
    'build.writeDockerfile': ({ path, dockerfile, text }) => {
      writeDockerfile(path, dockerfile, text);
      return null;
    },
    'containers.list': () => [],
    'containers.remove': () => unsupported('containers'),
    'containers.stop': () => unsupported('containers'),
    'containers.files': () => unsupported('containers'),
    'containers.readFile': () => unsupported('containers'),
    'containers.writeFile': () => unsupported('containers'),
    'containers.diff': () => unsupported('containers'),
    'containers.commit': () => unsupported('containers'),
    'dialog.openFolder': ({ title }) => (dialogs ? dialogs.openFolder(title) : unsupported('a native folder picker')),
    'dialog.openFile': ({ title }) => (dialogs ? dialogs.openFile(title) : unsupported('a native file picker')),
    'dialog.saveFile': ({ title, defaultName }) => (dialogs ? dialogs.saveFile(title, defaultName) : unsupported('a native save dialog')),
  };

  const streams: StreamHandlers = {
    'images.load': async ({ path }, ctx) => {
      const res = await loadImages(engine, { path }, { onProgress: (e) => ctx.emit(e), signal: ctx.signal });
      return { loaded: res.images.map((i) => (i.repoTags.length > 0 ? i.repoTags.join(', ') : i.id)) };
    },
    'images.save': () => unsupported('save'),
    'images.import': () => unsupported('import'),
    'images.pull': () => unsupported('pull'),
    'images.push': () => unsupported('push'),
    'build.run': () => unsupported('build'),
    'containers.run': () => unsupported('containers'),
    'containers.terminal': () => unsupported('the container terminal'),
    'containers.logs': () => unsupported('container logs'),
  };

  return { requests, streams, onChange: (l) => engine.bus.on(l) };
}
