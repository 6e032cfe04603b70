import { PassThrough, type Readable } from 'node:stream';
import type { Engine } from '../../engine/engine.ts';
import type { HistoryEntry, ImageSummary } from '../../engine/api.ts';
import { listImages } from '../../engine/image/list.ts';
import { imageHistory } from '../../engine/image/history.ts';
import { inspectImage } from '../../engine/image/inspect.ts';
import { pruneImages, removeImage } from '../../engine/image/prune.ts';
import { saveImages, selectImages } from '../../engine/archive/save.ts';
import { loadImages } from '../../engine/archive/load.ts';
import { prepareInBackground } from '../../engine/snapshot/prepare.ts';
import { diskUsage } from '../../engine/usage/disk-usage.ts';
import { commitContainer } from '../../engine/container/commit.ts';
import { listedCommand } from '../../engine/container/config.ts';
import { statusText, type ContainerRecord } from '../../engine/container/container-service.ts';
import { StrataError } from '../../../shared/errors.ts';
import { portSummaries, type PortMap } from '../../engine/network/ports.ts';
import type {
  DockerChange, DockerContainerSummary, DockerEvent, DockerHistoryItem, DockerImageDeleteItem, DockerImagesPruneResponse,
  DockerImageSummary, DockerJsonMessage, DockerSystemDf, Filters,
} from '../../../shared/docker-api.ts';
import type { BuildImageOptions, ContainerSpec, OutputChunk, Provider } from '../provider.ts';
import { parseNetworkMode } from '../../engine/runtime/policy.ts';

/** api.ts's image row as the Engine API's ImageSummary. */
export function dockerImageSummary(i: ImageSummary): DockerImageSummary {
  return {
    Id: i.id, ParentId: i.parentId, RepoTags: i.repoTags, RepoDigests: i.repoDigests, Created: i.created, Size: i.size, VirtualSize: i.size,
    SharedSize: i.sharedSize, Labels: i.labels, Containers: i.containers,
  };
}

export function dockerHistoryItem(h: HistoryEntry): DockerHistoryItem {
  return { Id: h.id, Created: h.created, CreatedBy: h.createdBy, Tags: h.tags.length ? h.tags : null, Size: h.size, Comment: h.comment };
}

function dockerContainer(c: ContainerRecord, image: string, now: number, ports: PortMap): DockerContainerSummary {
  return {
    Id: c.id, Names: [`/${c.name}`], Image: image, ImageID: c.imageId, Command: listedCommand(c.config), Created: Math.floor(c.created / 1000),
    Ports: portSummaries(ports), Labels: c.config.Labels ?? {}, State: c.state, Status: statusText(c, now),
  };
}

const CHANGE_KIND = { C: 0, A: 1, D: 2 } as const;

function unsupported(what: string): StrataError {
  return new StrataError('unsupported', `${what} through the provider seam is not supported by the Strata store yet (strata ${what} does it directly)`);
}

async function* notYet(what: string): AsyncIterable<DockerJsonMessage> {
  yield* [];
  throw unsupported(what);
}

/**
 * Strata's own store behind the Provider seam: today's engine code paths, their results in the
 * Engine API's shapes. Engine errors (already StrataErrors with docker's wording) pass through.
 */
export class StrataProvider implements Provider {
  readonly kind = 'strata' as const;
  readonly name = 'strata';
  private readonly engine: Engine;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  async listImages(o: { all?: boolean; filters?: Filters }): Promise<DockerImageSummary[]> {
    return listImages(this.engine, { all: o.all ?? false, filters: o.filters ?? {} }).map(dockerImageSummary);
  }

  async inspectImage(name: string): Promise<Record<string, unknown>> {
    return inspectImage(this.engine, name) as unknown as Record<string, unknown>;
  }

  async imageHistory(name: string): Promise<DockerHistoryItem[]> {
    return imageHistory(this.engine, name).map(dockerHistoryItem);
  }

  async tagImage(source: string, target: string): Promise<void> {
    this.engine.images.tag(source, target);
  }

  async removeImage(name: string, o: { force?: boolean; noPrune?: boolean }): Promise<DockerImageDeleteItem[]> {
    const items = removeImage(this.engine, name, { force: o.force ?? false, noPrune: o.noPrune ?? false });
    if (items.some((i) => i.deleted)) await this.engine.gc.collect();
    return items.map((i) => (i.deleted ? { Deleted: i.deleted } : { Untagged: i.untagged! }));
  }

  async pruneImages(filters: Filters): Promise<DockerImagesPruneResponse> {
    const { dangling, ...rest } = filters;
    const r = await pruneImages(this.engine, { all: dangling?.[0] === 'false', filters: rest });
    return { ImagesDeleted: r.deleted.map((i) => (i.deleted ? { Deleted: i.deleted } : { Untagged: i.untagged! })), SpaceReclaimed: r.spaceReclaimed };
  }

  async saveImages(names: string[], signal?: AbortSignal): Promise<Readable> {
    const selection = selectImages(this.engine, names);
    const out = new PassThrough();
    saveImages(this.engine, selection, out, { format: 'docker-archive', ...(signal ? { signal } : {}) }).catch((err: unknown) => out.destroy(err as Error));
    return out;
  }

  async *loadImages(archive: Readable, o: { quiet?: boolean; signal?: AbortSignal }): AsyncIterable<DockerJsonMessage> {
    const result = await loadImages(this.engine, { stream: archive }, o.signal ? { signal: o.signal } : {});
    // An image copied into the store from another engine ("Copy to…") is a load like any other.
    prepareInBackground(this.engine, result.images.map((i) => i.id));
    for (const note of result.notes) yield { stream: `${note}\n` };
    for (const img of result.images) {
      if (img.repoTags.length === 0) yield { stream: `Loaded image ID: ${img.id}\n` };
      for (const t of img.repoTags) yield { stream: `Loaded image: ${t}\n` };
    }
  }

  async systemDf(): Promise<DockerSystemDf> {
    const du = diskUsage(this.engine);
    return {
      LayersSize: du.layersSize,
      Images: du.images.map((i) => ({
        Id: i.id, ParentId: '', RepoTags: i.repoTags, RepoDigests: [], Created: i.created, Size: i.size, VirtualSize: i.size, SharedSize: i.sharedSize, Labels: null, Containers: i.containers,
      })),
      Containers: du.containers.map((c) => ({
        Id: c.id, Names: c.names, Image: c.image, ImageID: c.imageId ?? '', Command: c.command, Created: c.created, Ports: [], Labels: null, State: c.state, Status: c.status, SizeRw: c.sizeRw, SizeRootFs: c.sizeRootFs,
      })),
      Volumes: [],
      BuildCache: du.buildCache.map((b) => ({
        ID: b.id, Type: b.type, Description: b.description, InUse: b.inUse, Shared: b.shared, Size: b.size,
        CreatedAt: new Date(b.createdAt * 1000).toISOString(), LastUsedAt: b.lastUsedAt ? new Date(b.lastUsedAt * 1000).toISOString() : null, UsageCount: b.usageCount,
      })),
    };
  }

  async listContainers(o: { all?: boolean; limit?: number }): Promise<DockerContainerSummary[]> {
    const now = Date.now();
    const list = this.engine.containers.list({ all: (o.all ?? false) || (o.limit ?? 0) > 0 });
    return (o.limit && o.limit > 0 ? list.slice(0, o.limit) : list).map((c) => dockerContainer(c, this.engine.containers.listedImage(c), now, this.engine.containers.ports(c)));
  }

  async inspectContainer(id: string): Promise<Record<string, unknown>> {
    const c = this.engine.containers.get(id);
    return dockerContainer(c, this.engine.containers.listedImage(c), Date.now(), this.engine.containers.ports(id)) as unknown as Record<string, unknown>;
  }

  async *containerLogs(id: string): AsyncIterable<{ stream: 'stdout' | 'stderr'; data: Buffer }> {
    for (const e of this.engine.containers.logs(id)) yield { stream: e.stream, data: Buffer.from(e.text) };
  }

  async containerChanges(id: string): Promise<DockerChange[]> {
    return (await this.engine.containers.changes(id)).map((c) => ({ Path: c.path, Kind: CHANGE_KIND[c.kind] }));
  }

  async commitContainer(id: string, o: { repo?: string; tag?: string; comment?: string; author?: string; pause?: boolean; changes?: string[] }): Promise<{ Id: string }> {
    const img = await commitContainer(this.engine, id, {
      changes: o.changes ?? [], pause: o.pause ?? true,
      ...(o.repo ? { reference: o.tag ? `${o.repo}:${o.tag}` : o.repo } : {}),
      ...(o.comment !== undefined ? { message: o.comment } : {}), ...(o.author !== undefined ? { author: o.author } : {}),
    });
    return { Id: img.id };
  }

  async removeContainer(id: string, o: { force?: boolean }): Promise<void> {
    await this.engine.containers.remove(id, { force: o.force ?? false });
  }

  async startContainer(id: string): Promise<void> {
    await this.engine.containers.start(id);
  }

  async stopContainer(id: string, o: { timeout?: number } = {}): Promise<void> {
    await this.engine.containers.stop(id, o.timeout);
  }

  async restartContainer(id: string, o: { timeout?: number } = {}): Promise<void> {
    await this.engine.containers.stop(id, o.timeout);
    await this.engine.containers.start(id);
  }

  async createContainer(spec: ContainerSpec): Promise<{ Id: string; Warnings: string[] }> {
    const network = spec.network === undefined ? undefined : parseNetworkMode(spec.network);
    if (spec.network !== undefined && network === undefined) throw new StrataError('not-found', `network ${spec.network} not found`);
    const rec = this.engine.containers.create({
      image: spec.image, cmd: spec.cmd, env: spec.env, labels: Object.entries(spec.labels).map(([k, v]) => `${k}=${v}`), autoRemove: spec.autoRemove,
      ...(spec.name !== undefined ? { name: spec.name } : {}), ...(spec.entrypoint !== undefined ? { entrypoint: spec.entrypoint } : {}),
      ...(spec.workdir !== undefined ? { workdir: spec.workdir } : {}), ...(spec.user !== undefined ? { user: spec.user } : {}),
      ...(network !== undefined ? { network } : {}),
    });
    return { Id: rec.id, Warnings: [] };
  }

  // The store's own commands (strata pull, push, build, run, exec) drive these directly, with their
  // own progress and terminal handling; they are not behind the seam yet.
  pullImage(): AsyncIterable<DockerJsonMessage> {
    return notYet('pull');
  }

  pushImage(): AsyncIterable<DockerJsonMessage> {
    return notYet('push');
  }

  buildImage(_context: Readable, _options: BuildImageOptions): AsyncIterable<DockerJsonMessage> {
    return notYet('build');
  }

  async attachContainer(): Promise<AsyncIterable<OutputChunk>> {
    throw unsupported('attach');
  }

  async waitContainer(): Promise<{ exited: Promise<number> }> {
    throw unsupported('wait');
  }

  async execInContainer(): Promise<{ output: AsyncIterable<OutputChunk>; exitCode(): Promise<number> }> {
    throw unsupported('exec');
  }

  async *events(): AsyncIterable<DockerEvent> {
    throw new StrataError('unsupported', 'the Strata store\'s events are not behind the provider seam yet (strata events reads the change feed)');
  }

  close(): void {
    // The engine belongs to whoever opened it.
  }
}
