/**
 * The contract's requests and streams against an Engine API provider (Docker, Podman, a remote
 * engine): the same results the views get from Strata's store, made from the engine's own answers.
 * What an engine cannot do through the seam yet is not here; the host refuses it with a reason.
 */
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type {
  ContainerSummary, ImageDetail, ParamsOf, PruneActions, RequestName, ResultOf, StreamEventOf, StreamName, StreamParams, StreamResult,
} from '../../shared/contract.ts';
import type { DockerContainerSummary, DockerJsonMessage } from '../../shared/docker-api.ts';
import type { LayerInfo, ProgressEvent, SharedLayer } from '../../shared/types.ts';
import { StrataError } from '../../shared/errors.ts';
import type { Provider } from '../providers/provider.ts';
import type { EngineLayerIndex } from '../providers/engine-api/layer-index.ts';
import { diffSize } from '../engine/layer/file-index.ts';
import { chainIds } from '../engine/store/digest.ts';
import { layerTreeOf } from '../engine/image/layers.ts';
import { dfSummary, toDiskUsageReport, toHistoryEntry, toImageSummary } from '../cli/provider-shapes.ts';
import type { StreamContext } from './stream-context.ts';

type EngineRequests = { [K in RequestName]?: (p: Provider, params: ParamsOf<K>) => Promise<ResultOf<K>> };
type EngineStreams = { [K in StreamName]?: (p: Provider, params: StreamParams<K>, ctx: StreamContext<StreamEventOf<K>>) => Promise<StreamResult<K>> };

const seconds = (iso: unknown): number => (typeof iso === 'string' ? Math.floor(Date.parse(iso) / 1000) || 0 : 0);

interface InspectedImage {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created?: string;
  Size?: number;
  Config?: { Env?: string[] | null; Cmd?: string[] | null; Entrypoint?: string[] | null; WorkingDir?: string } | null;
  RootFS?: { Layers?: string[] };
}

function imageDetail(inspect: InspectedImage): ImageDetail {
  const c = inspect.Config ?? {};
  return {
    id: inspect.Id, repoTags: inspect.RepoTags ?? [], repoDigests: inspect.RepoDigests ?? [], created: seconds(inspect.Created), size: inspect.Size ?? 0,
    env: c.Env ?? [], cmd: c.Cmd ?? [], entrypoint: c.Entrypoint ?? [], workingDir: c.WorkingDir ?? '', inspect,
  };
}

/** docker's STATUS `Exited (N) …` carries the exit code the summary lacks. */
function containerSummary(c: DockerContainerSummary): ContainerSummary {
  const exited = /^Exited \((-?\d+)\)/.exec(c.Status ?? '');
  return {
    id: c.Id, names: (c.Names ?? []).map((n) => n.replace(/^\//, '')), image: c.Image, imageId: c.ImageID, command: c.Command, created: c.Created,
    state: c.State, status: c.Status, startedAt: 0, finishedAt: 0, exitCode: exited ? Number(exited[1]) : 0, sizeRw: c.SizeRw ?? 0,
    // The engine runs it: a terminal (exec, or attach) opens on any running container.
    attached: c.State === 'running',
  };
}

const isDangling = (tags: string[] | null | undefined): boolean => !tags || tags.length === 0 || tags.every((t) => t === '<none>:<none>');

/** Which images (by ID) use each layer: the engine's images, each inspected once (IDs never change content). */
class LayerUsers {
  private readonly layersOf = new Map<string, string[]>();

  async map(p: Provider): Promise<Map<string, string[]>> {
    const ids = [...new Set((await p.listImages({ all: true })).map((i) => i.Id))];
    const todo = ids.filter((id) => !this.layersOf.has(id));
    for (let i = 0; i < todo.length; i += 8) {
      await Promise.all(todo.slice(i, i + 8).map(async (id) => {
        const ins = (await p.inspectImage(id).catch(() => undefined)) as InspectedImage | undefined;
        if (ins) this.layersOf.set(id, ins.RootFS?.Layers ?? []);
      }));
    }
    const users = new Map<string, string[]>();
    for (const id of ids.sort()) {
      for (const d of new Set(this.layersOf.get(id) ?? [])) users.set(d, [...(users.get(d) ?? []), id]);
    }
    return users;
  }
}

async function imageLayers(p: Provider, index: EngineLayerIndex, users: LayerUsers, ref: string): Promise<LayerInfo[]> {
  const ins = (await p.inspectImage(ref)) as unknown as InspectedImage;
  const diffIds = ins.RootFS?.Layers ?? [];
  const [layers, usedBy] = await Promise.all([index.layers(p, ins.Id, diffIds), users.map(p)]);
  const chains = chainIds(diffIds);
  return layers.map((l, i) => ({
    diffId: l.diffId, chainId: chains[i]!, blobDigest: l.diffId, mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
    size: diffSize(l.files), tarSize: l.tarSize, blobSize: l.tarSize, usedBy: usedBy.get(l.diffId) ?? [ins.Id],
  }));
}

async function pruneActions(p: Provider): Promise<PruneActions> {
  const df = await p.systemDf();
  const unique = (i: { Size: number; SharedSize: number }): number => (i.SharedSize >= 0 ? i.Size - i.SharedSize : i.Size);
  const images = df.Images ?? [];
  const rows = dfSummary(df);
  return {
    'dangling-images': images.filter((i) => i.Containers === 0 && isDangling(i.RepoTags)).reduce((n, i) => n + unique(i), 0),
    'unused-images': rows[0]!.reclaimable,
    'stopped-containers': rows[1]!.reclaimable,
    'build-cache': rows[3]!.reclaimable,
  };
}

/** The engine's JSON progress messages as the views' progress events. */
function progressOf(m: DockerJsonMessage): ProgressEvent {
  if (m.error || m.errorDetail) throw new StrataError('internal', m.errorDetail?.message ?? m.error ?? 'the engine failed');
  return { id: m.id ?? '', status: (m.stream ?? m.status ?? '').trim() };
}

/** Bytes through a stream, reported at most every 4 MiB. */
function counting(total: (n: number) => void): Transform {
  let n = 0;
  let reported = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      n += chunk.length;
      if (n - reported >= 4 << 20) {
        reported = n;
        total(n);
      }
      done(null, chunk);
    },
  });
}

const loadedNames = (messages: DockerJsonMessage[]): string[] =>
  messages.flatMap((m) => /^Loaded image(?: ID)?: (.+)$/.exec((m.stream ?? '').trim())?.[1] ?? []);

/** Streams `ref` from one provider into another: the source's save piped into the target's load. */
export async function copyImage(from: Provider, to: Provider, ref: string, ctx: StreamContext<ProgressEvent>): Promise<{ loaded: string[] }> {
  const archive = await from.saveImages([ref], ctx.signal);
  const counted = archive.pipe(counting((n) => ctx.emit({ id: '', status: 'Copying', current: n })));
  archive.on('error', (err) => counted.destroy(err));
  const messages: DockerJsonMessage[] = [];
  for await (const m of to.loadImages(counted, { quiet: true, signal: ctx.signal })) {
    ctx.emit(progressOf(m));
    messages.push(m);
  }
  return { loaded: loadedNames(messages) };
}

export function engineHandlers(index: EngineLayerIndex): { requests: EngineRequests; streams: EngineStreams } {
  const users = new LayerUsers();
  const requests: EngineRequests = {
    'images.list': async (p) => {
      const [list, df] = await Promise.all([p.listImages({}), p.systemDf()]);
      // docker 20.10's list has no shared sizes or container counts (-1); its /system/df does.
      const byId = new Map((df.Images ?? []).map((i) => [i.Id, i]));
      return list.map((i) => {
        const d = byId.get(i.Id);
        return toImageSummary({ ...i, SharedSize: d?.SharedSize ?? i.SharedSize, Containers: d?.Containers ?? i.Containers });
      });
    },
    'images.inspect': async (p, { ref }) => imageDetail((await p.inspectImage(ref)) as unknown as InspectedImage),
    'images.env': async (p, { ref }) => {
      const d = imageDetail((await p.inspectImage(ref)) as unknown as InspectedImage);
      return { env: d.env, cmd: d.cmd, entrypoint: d.entrypoint };
    },
    'images.history': async (p, { ref }) => (await p.imageHistory(ref)).map(toHistoryEntry),
    'images.layers': (p, { ref }) => imageLayers(p, index, users, ref),
    'images.layerTree': async (p, { ref, position }) => {
      const ins = (await p.inspectImage(ref)) as unknown as InspectedImage;
      const diffIds = ins.RootFS?.Layers ?? [];
      const layers = await index.layers(p, ins.Id, diffIds);
      return layerTreeOf(ins.Id, layers, layers.map((l) => l.files), position);
    },
    'images.tag': async (p, { source, target }) => {
      await p.tagImage(source, target);
      return null;
    },
    'images.remove': async (p, { refs, force }) => {
      const out: { untagged?: string; deleted?: string }[] = [];
      for (const r of refs) for (const d of await p.removeImage(r, { force })) out.push(d.Deleted ? { deleted: d.Deleted } : { untagged: d.Untagged! });
      return out;
    },
    'images.prunePreview': async (p, { all }) => {
      const df = await p.systemDf();
      const gone = (df.Images ?? []).filter((i) => i.Containers === 0 && (all || isDangling(i.RepoTags)));
      const bytes = gone.reduce((n, i) => n + (i.SharedSize >= 0 ? i.Size - i.SharedSize : i.Size), 0);
      return { images: gone.map((i) => ({ id: i.Id, repoTags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'), size: i.Size })), spaceReclaimed: bytes, storedBytes: bytes };
    },
    'images.prune': async (p, { all }) => {
      const r = await p.pruneImages({ dangling: [String(!all)] });
      return {
        deleted: (r.ImagesDeleted ?? []).map((d) => (d.Deleted ? { deleted: d.Deleted } : { untagged: d.Untagged! })),
        spaceReclaimed: r.SpaceReclaimed, storedBytesFreed: r.SpaceReclaimed,
      };
    },
    'system.df': async (p) => {
      const { summary, ...usage } = toDiskUsageReport(await p.systemDf());
      const imagesTotal = (await p.listImages({})).reduce((n, i) => n + i.Size, 0);
      return { usage, rows: summary, imagesTotal };
    },
    'system.layers': async (p) => {
      // Sizes of the layers whose file index is at hand; the others count as unknown (0) until an image detail reads them.
      const users = await new LayerUsers().map(p);
      const out: SharedLayer[] = [...users].map(([diffId, usedBy]) => {
        const files = index.cached(diffId)?.files;
        return { diffId, size: files ? diffSize(files) : 0, usedBy };
      });
      return out.sort((a, b) => b.size - a.size || a.diffId.localeCompare(b.diffId));
    },
    'system.prunePreview': (p) => pruneActions(p),
    'system.prune': async (p, { action }) => {
      if (action !== 'dangling-images' && action !== 'unused-images') {
        throw new StrataError('unsupported', `${action === 'build-cache' ? 'builder prune' : 'container prune'} is not supported against an Engine API provider yet`);
      }
      const r = await p.pruneImages({ dangling: [String(action === 'dangling-images')] });
      return { spaceReclaimed: r.SpaceReclaimed };
    },
    // Build records and the order advice are the Strata builder's: an engine's builds have none.
    'build.history': async () => ({ builds: [], advice: [] }),
    'containers.list': async (p, { all }) => (await p.listContainers({ all, size: true })).map(containerSummary),
    'containers.inspect': (p, { id }) => p.inspectContainer(id),
    'containers.remove': async (p, { id, force }) => {
      await p.removeContainer(id, { force });
      return null;
    },
    'containers.stop': async (p, { id }) => {
      await p.stopContainer(id);
      return null;
    },
    'containers.start': async (p, { id }) => {
      await p.startContainer(id);
      return null;
    },
    'containers.restart': async (p, { id }) => {
      await p.restartContainer(id);
      return null;
    },
    'containers.diff': async (p, { id }) => (await p.containerChanges(id)).map((c) => ({ kind: (['C', 'A', 'D'] as const)[c.Kind], path: c.Path })),
    'containers.commit': async (p, { id, repository, message, author, changes }) => {
      const slash = repository.lastIndexOf('/');
      const colon = repository.lastIndexOf(':');
      const [repo, tag] = colon > slash ? [repository.slice(0, colon), repository.slice(colon + 1)] : [repository, ''];
      const r = await p.commitContainer(id, { ...(repo ? { repo } : {}), ...(tag ? { tag } : {}), comment: message, author, changes });
      return { id: r.Id };
    },
  };

  const streams: EngineStreams = {
    'images.load': async (p, { path }, ctx) => {
      const messages: DockerJsonMessage[] = [];
      for await (const m of p.loadImages(createReadStream(path), { quiet: true, signal: ctx.signal })) {
        ctx.emit(progressOf(m));
        messages.push(m);
      }
      return { loaded: loadedNames(messages) };
    },
    'images.save': async (p, { refs, path }, ctx) => {
      // Written beside the target and renamed at the end: a cancelled save leaves no half archive.
      const tmp = `${path}.strata-${process.pid}.tmp`;
      try {
        const archive = await p.saveImages(refs, ctx.signal);
        await pipeline(archive, counting((n) => ctx.emit({ id: '', status: 'Saving', current: n })), createWriteStream(tmp), { signal: ctx.signal });
        renameSync(tmp, path);
      } finally {
        rmSync(tmp, { force: true });
      }
      return null;
    },
    'containers.logs': async (p, { id, follow }, ctx) => {
      for await (const chunk of p.containerLogs(id, { follow: follow ?? false, tail: 'all', signal: ctx.signal })) {
        ctx.emit({ data: chunk.data.toString('utf8') });
      }
      return null;
    },
  };
  return { requests, streams };
}
