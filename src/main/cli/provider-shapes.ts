/**
 * The Engine API's JSON (the providers' vocabulary) as the shapes the CLI's formatters read
 * (engine/api.ts), plus `system df`'s summary rows computed as the docker CLI computes them from
 * `/system/df` (docker/cli formatter/disk_usage.go).
 */
import type { DiskUsageReport, DiskUsageRow, HistoryEntry, ImageSummary } from '../engine/api.ts';
import type { DockerContainerSummary, DockerHistoryItem, DockerImageSummary, DockerSystemDf } from '../../shared/docker-api.ts';
import { createdSince, displayImage, ellipsis, goTimeString, humanSize, truncateId } from './units.ts';
import { sortedKeys } from './formatter.ts';
import { goQuote } from '../engine/build/shell/goquote.ts';

export function toImageSummary(i: DockerImageSummary): ImageSummary {
  return {
    id: i.Id, repoTags: i.RepoTags ?? [], repoDigests: i.RepoDigests ?? [], parentId: i.ParentId ?? '', created: i.Created,
    size: i.Size, sharedSize: i.SharedSize ?? -1, labels: i.Labels ?? {}, containers: i.Containers ?? -1,
  };
}

export function toHistoryEntry(h: DockerHistoryItem): HistoryEntry {
  return { id: h.Id, created: h.Created, createdBy: h.CreatedBy ?? '', size: h.Size, comment: h.Comment ?? '', tags: h.Tags ?? [], emptyLayer: false };
}

function isActiveContainer(state: string): boolean {
  return state.includes('running') || state.includes('paused') || state.includes('restarting');
}

/** docker/cli's TYPE rows: Images, Containers, Local Volumes, Build Cache. */
export function dfSummary(df: DockerSystemDf): DiskUsageRow[] {
  const images = df.Images ?? [];
  const containers = df.Containers ?? [];
  const volumes = df.Volumes ?? [];
  const cache = df.BuildCache ?? [];
  let imagesUsed = 0;
  for (const i of images) if (i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1) imagesUsed += i.Size - i.SharedSize;
  const containerSize = containers.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const containerIdle = containers.filter((c) => !isActiveContainer(c.State)).reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const volumeSize = volumes.reduce((n, v) => n + (v.UsageData && v.UsageData.Size !== -1 ? v.UsageData.Size : 0), 0);
  const volumeIdle = volumes.reduce((n, v) => n + (v.UsageData && v.UsageData.Size !== -1 && v.UsageData.RefCount === 0 ? v.UsageData.Size : 0), 0);
  const builderSize = cache.reduce((n, b) => n + (b.Shared ? 0 : b.Size), 0);
  const cacheInUse = cache.reduce((n, b) => n + (b.InUse && !b.Shared ? b.Size : 0), 0);
  return [
    { type: 'Images', total: images.length, active: images.filter((i) => i.Containers > 0).length, size: df.LayersSize, reclaimable: df.LayersSize - imagesUsed },
    { type: 'Containers', total: containers.length, active: containers.filter((c) => isActiveContainer(c.State)).length, size: containerSize, reclaimable: containerIdle },
    { type: 'Local Volumes', total: volumes.length, active: volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length, size: volumeSize, reclaimable: volumeIdle },
    { type: 'Build Cache', total: cache.length, active: cache.filter((b) => b.InUse).length, size: builderSize, reclaimable: builderSize - cacheInUse },
  ];
}

const seconds = (iso: string | null | undefined): number => (iso ? Math.floor(Date.parse(iso) / 1000) || 0 : 0);

export function toDiskUsageReport(df: DockerSystemDf): DiskUsageReport {
  return {
    layersSize: df.LayersSize,
    images: (df.Images ?? []).map((i) => ({
      id: i.Id, repoTags: i.RepoTags ?? [], created: i.Created, size: i.Size, sharedSize: i.SharedSize,
      uniqueSize: i.Size === -1 || i.SharedSize === -1 ? -1 : i.Size - i.SharedSize, containers: i.Containers,
    })),
    containers: (df.Containers ?? []).map((c) => ({
      id: c.Id, names: c.Names ?? [], image: c.Image, ...(c.ImageID ? { imageId: c.ImageID } : {}), command: c.Command, created: c.Created, state: c.State, status: c.Status,
      sizeRw: c.SizeRw ?? 0, sizeRootFs: c.SizeRootFs ?? 0,
    })),
    buildCache: (df.BuildCache ?? []).map((b) => ({
      id: b.ID, type: b.Type, description: b.Description, size: b.Size, createdAt: seconds(b.CreatedAt), lastUsedAt: seconds(b.LastUsedAt),
      usageCount: b.UsageCount, inUse: b.InUse, shared: b.Shared,
    })),
    summary: dfSummary(df),
  };
}

/** docker's DisplayablePorts, without range folding: `IP:PUBLIC->PRIVATE/proto`, sorted. */
function portsText(ports: DockerContainerSummary['Ports']): string {
  return [...(ports ?? [])]
    .map((p) => (p.PublicPort ? `${p.IP ? `${p.IP}:` : ''}${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`))
    .sort()
    .join(', ');
}

/** One `ps` row from the Engine API's container summary (docker/cli formatter/container.go). */
export function containerRow(c: DockerContainerSummary, now: number, trunc: boolean): Record<string, unknown> {
  let names = (c.Names ?? []).map((n) => n.replace(/^\//, ''));
  if (trunc) {
    const plain = names.find((n) => n.split('/').length === 1);
    if (plain) names = [plain];
  }
  const image = displayImage(c.Image ?? '', c.ImageID, trunc);
  const srw = humanSize(c.SizeRw ?? 0, 3);
  const size = (c.SizeRootFs ?? 0) > 0 ? `${srw} (virtual ${humanSize(c.SizeRootFs!, 3)})` : srw;
  return sortedKeys({
    Command: goQuote(trunc ? ellipsis(c.Command, 20) : c.Command),
    CreatedAt: goTimeString(c.Created),
    ID: trunc ? truncateId(c.Id) : c.Id,
    Image: image,
    Labels: Object.entries(c.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Name).length),
    Mounts: (c.Mounts ?? []).map((m) => (m.Name ? (trunc ? ellipsis(m.Name, 15) : m.Name) : m.Source ?? '')).join(','),
    Names: names.join(','),
    Networks: '',
    Ports: portsText(c.Ports),
    RunningFor: createdSince(c.Created, now),
    Size: size,
    State: c.State,
    Status: c.Status,
  });
}
