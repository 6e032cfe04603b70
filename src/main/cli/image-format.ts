/**
 * Pure formatters for `images`, `history`, `image layers` and `system df` over api.ts shapes, reproducing docker/cli's
 * output byte for byte (its formatter package, image list tree view and tabwriter). "Now" is injected
 * so relative times are testable.
 */
import type { DiskUsageBuildCache, DiskUsageContainer, DiskUsageImage, DiskUsageReport, DiskUsageRow, HistoryEntry, ImageSummary } from '../engine/api.ts';
import type { StoreDiskUsage } from '../../shared/types.ts';
import type { LayerSummary } from '../../shared/types.ts';
import { familiarName, parseReference, referenceParser } from '../engine/image/reference.ts';
import { columnsFormat, isTable, QUIET_FORMAT, RAW_FORMAT, renderColumns, renderRows, sortedKeys, TABLE_FORMAT, finalFormat } from './formatter.ts';
import { createdSince, ellipsis, goTimeString, humanSize, humanSize4, rfc3339, truncateId, humanDuration, displayImage } from './units.ts';
import { compile } from './formatter.ts';
import { tabwrite, tabwriteTable } from './tabwriter.ts';
import { goQuote } from '../engine/build/shell/goquote.ts';
import { displayablePorts } from '../engine/network/ports.ts';

// ---------------------------------------------------------------- images

const IMAGE_HEADER = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT',
  Size: 'SIZE', Containers: 'CONTAINERS', VirtualSize: 'SIZE', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE',
};

const DEFAULT_IMAGE_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const DEFAULT_IMAGE_TABLE_DIGEST = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';

/** image prune's confirmations, docker's wording (the store's and an engine's prune alike). */
export const DANGLING_WARNING = 'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';
export const ALL_WARNING = 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?';

/** docker/cli NewImageFormat. */
export function newImageFormat(source: string, quiet: boolean, digest: boolean): string {
  if (source === TABLE_FORMAT) return quiet ? QUIET_FORMAT : digest ? DEFAULT_IMAGE_TABLE_DIGEST : DEFAULT_IMAGE_TABLE;
  if (source === RAW_FORMAT) {
    if (quiet) return 'image_id: {{.ID}}';
    return `repository: {{ .Repository }}\ntag: {{.Tag}}\n${digest ? 'digest: {{.Digest}}\n' : ''}image_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n`;
  }
  if (isTable(source) && digest && !source.includes('{{.Digest}}')) return `${source}\t{{.Digest}}`;
  return source;
}

export interface ImageListOptions {
  format?: string;
  quiet?: boolean;
  noTrunc?: boolean;
  digests?: boolean;
  /** ms since the epoch */
  now: number;
}

/** docker/cli isDangling: no tags and no digests. */
export function isDangling(img: Pick<ImageSummary, 'repoTags' | 'repoDigests'>): boolean {
  if (img.repoTags.length === 0 && img.repoDigests.length === 0) return true;
  return img.repoTags.length === 1 && img.repoTags[0] === '<none>:<none>' && img.repoDigests.length === 1 && img.repoDigests[0] === '<none>@<none>';
}

type ImageFigures = Pick<ImageSummary, 'id' | 'created' | 'size' | 'sharedSize' | 'containers'>;

/** An image's figures as docker's imageContext prints them: N/A where the daemon sent -1. */
const containersText = (img: ImageFigures): string => (img.containers === -1 ? 'N/A' : String(img.containers));
const sharedSizeText = (img: ImageFigures, size4 = humanSize4): string => (img.sharedSize === -1 ? 'N/A' : size4(img.sharedSize));
const uniqueSizeText = (img: ImageFigures, size4 = humanSize4): string => (img.size === -1 || img.sharedSize === -1 ? 'N/A' : size4(img.size - img.sharedSize));
/** SIZE in `images` (three significant digits) and VirtualSize, docker's other rounding of it. */
const sizeText = (img: ImageFigures, size3 = humanSize3): string => size3(img.size);
const virtualSizeText = (img: ImageFigures, size4 = humanSize4): string => size4(img.size);

function humanSize3(bytes: number): string {
  return humanSize(bytes, 3);
}

/**
 * `text` made once for each distinct number: a listing's sizes repeat (images share their base
 * layers, and their shared bytes with them).
 */
function onceEach(text: (n: number) => string): (n: number) => string {
  const made = new Map<number, string>();
  return (n) => {
    let s = made.get(n);
    if (s === undefined) made.set(n, (s = text(n)));
    return s;
  };
}

/** The row fields of one image line (docker's imageContext methods). */
function imageRow(img: ImageFigures, repo: string, tag: string, digest: string, trunc: boolean, now: number): Record<string, string> {
  return sortedKeys({
    Containers: containersText(img),
    CreatedAt: goTimeString(img.created),
    CreatedSince: createdSince(img.created, now),
    Digest: digest,
    ID: trunc ? truncateId(img.id) : img.id,
    Repository: repo,
    SharedSize: sharedSizeText(img),
    Size: sizeText(img),
    Tag: tag,
    UniqueSize: uniqueSizeText(img),
    VirtualSize: virtualSizeText(img),
  });
}

/** One row per repository:tag (docker's imageFormatTaggedAndDigest), `<none>` for dangling images. */
export function imageRows(images: readonly ImageSummary[], options: { trunc: boolean; digest: boolean; now: number; needDigest?: boolean }): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  const parse = referenceParser();
  for (const img of images) {
    if (isDangling(img)) {
      rows.push(imageRow(img, '<none>', '<none>', '<none>', options.trunc, options.now));
      continue;
    }
    const repoTags = new Map<string, string[]>();
    const repoDigests = new Map<string, string[]>();
    for (const t of img.repoTags) {
      const ref = tryParse(t, parse);
      if (ref?.tag === undefined) continue;
      const name = familiarName(`${ref.domain}/${ref.path}`);
      repoTags.set(name, [...(repoTags.get(name) ?? []), ref.tag]);
    }
    for (const d of img.repoDigests) {
      const ref = tryParse(d, parse);
      if (ref?.digest === undefined) continue;
      const name = familiarName(`${ref.domain}/${ref.path}`);
      repoDigests.set(name, [...(repoDigests.get(name) ?? []), ref.digest]);
    }
    for (const [repo, tags] of repoTags) {
      let digests = repoDigests.get(repo) ?? [];
      repoDigests.delete(repo);
      if (!(options.needDigest ?? options.digest)) digests = [];
      for (const tag of tags) {
        if (digests.length === 0) rows.push(imageRow(img, repo, tag, '<none>', options.trunc, options.now));
        for (const d of digests) rows.push(imageRow(img, repo, tag, d, options.trunc, options.now));
      }
    }
    for (const [repo, digests] of repoDigests) {
      if (options.digest) for (const d of digests) rows.push(imageRow(img, repo, '<none>', d, options.trunc, options.now));
      else rows.push(imageRow(img, repo, '<none>', '', options.trunc, options.now));
    }
  }
  return rows;
}

function tryParse(s: string, parse = parseReference): ReturnType<typeof parseReference> | undefined {
  try {
    return parse(s, { defaultTag: false });
  } catch {
    return undefined;
  }
}

/** `images` with a format (docker's ImageWrite). */
export function formatImageList(images: readonly ImageSummary[], options: ImageListOptions): string {
  const format = newImageFormat(options.format || TABLE_FORMAT, options.quiet ?? false, options.digests ?? false);
  const needDigest = (options.digests ?? false) || format.includes('{{.Digest}}');
  const rows = imageRows(images, { trunc: !options.noTrunc, digest: options.digests ?? false, needDigest, now: options.now });
  return renderRows(format, rows, IMAGE_HEADER);
}

/** The message `images ls` prints to stderr when a subcommand name was probably meant. */
export function ambiguousHint(matchName: string, program = 'docker'): string {
  const subcommands = ['build', 'history', 'import', 'inspect', 'list', 'load', 'ls', 'prune', 'pull', 'push', 'rm', 'save', 'tag'];
  return subcommands.includes(matchName) ? `No images found matching "${matchName}": did you mean "${program} image ${matchName}"?\n` : '';
}

// ---------------------------------------------------------------- images, docker's tree view

export interface TreeImage extends ImageSummary {
  /** Bytes of the stored blobs (docker's "content size"); 0 when unknown. */
  contentSize?: number;
}

interface TreeColumn {
  title: string;
  width: number;
  align: 'left' | 'right';
  value?: (d: TreeDetails) => string;
}

interface TreeDetails {
  id: string;
  diskUsage: string;
  contentSize: string;
  inUse: boolean;
}

const COLUMN_SPACING = 3;

/**
 * docker 29's default `image ls` view (IMAGE / ID / DISK USAGE / CONTENT SIZE / EXTRA), without colour
 * (output not a terminal). Untagged images show only with `all` or a `dangling=true` filter.
 */
export function formatImageTree(images: readonly TreeImage[], options: { all?: boolean; danglingTrue?: boolean; width?: number } = {}): string {
  const shown = images
    .filter((img) => img.repoTags.length > 0 || options.all || options.danglingTrue)
    .map((img, i) => ({ img, i }))
    .sort((a, b) => b.img.created - a.img.created || a.i - b.i)
    .map((x) => x.img);
  const columns: TreeColumn[] = [
    { title: 'Image', width: 0, align: 'left' },
    { title: 'ID', width: 12, align: 'left', value: (d) => truncateId(d.id) },
    { title: 'Disk usage', width: 10, align: 'right', value: (d) => d.diskUsage },
    { title: 'Content size', width: 12, align: 'right', value: (d) => d.contentSize },
    { title: 'Extra', width: 5, align: 'left', value: (d) => (d.inUse ? 'U' : ' ') },
  ];
  let nameWidth = Math.max(20, options.width ?? 80);
  let cols = columns;
  for (let idx = 1; idx < columns.length; idx++) {
    const d = columns[idx]!.width + COLUMN_SPACING;
    if (nameWidth - d < 12) {
      cols = columns.slice(0, idx);
      break;
    }
    nameWidth -= d;
  }
  let widest = cols[0]!.title.length;
  for (const img of shown) for (const n of img.repoTags.length ? img.repoTags : ['<untagged>']) widest = Math.max(widest, n.length);
  cols[0]!.width = Math.min(nameWidth, widest);
  const cell = (c: TreeColumn, s: string): string => {
    const runes = Array.from(s);
    if (runes.length > c.width) return `${runes.slice(0, c.width - 3).join('')}...`;
    const fill = ' '.repeat(c.width - runes.length);
    return c.align === 'right' ? fill + s : s + fill;
  };
  let out = cols.map((c, i) => (i > 0 ? ' '.repeat(COLUMN_SPACING) : '') + cell(c, c.title.toUpperCase())).join('') + '\n';
  for (const img of shown) {
    const names = img.repoTags.length ? img.repoTags : ['<untagged>'];
    out += names.map((n) => cell(cols[0]!, n)).join('\n');
    const details: TreeDetails = { id: img.id, diskUsage: humanSize(img.size, 3), contentSize: humanSize(img.contentSize ?? 0, 3), inUse: img.containers > 0 };
    for (const c of cols) if (c.value) out += ' '.repeat(COLUMN_SPACING) + cell(c, c.value(details));
    out += '\n';
  }
  return out;
}

// ---------------------------------------------------------------- history

const HISTORY_HEADER = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' };

export interface HistoryOptions {
  format?: string;
  quiet?: boolean;
  human?: boolean;
  noTrunc?: boolean;
  now: number;
}

export function newHistoryFormat(source: string, quiet: boolean, human: boolean): string {
  if (source !== TABLE_FORMAT) return source;
  if (quiet) return QUIET_FORMAT;
  return human
    ? 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}'
    : 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
}

export function historyRows(entries: readonly HistoryEntry[], options: { trunc: boolean; human: boolean; now: number }): Record<string, string>[] {
  return entries.map((h) => {
    const createdAt = rfc3339(h.created);
    const createdBy = h.createdBy.replaceAll('\t', ' ');
    return sortedKeys({
      Comment: h.comment,
      CreatedAt: createdAt,
      CreatedBy: options.trunc ? ellipsis(createdBy, 45) : createdBy,
      CreatedSince: !options.human ? createdAt : h.created <= 0 ? 'N/A' : createdSince(h.created, options.now),
      ID: options.trunc ? truncateId(h.id) : h.id,
      Size: options.human ? humanSize(h.size, 3) : String(h.size),
    });
  });
}

export function formatHistory(entries: readonly HistoryEntry[], options: HistoryOptions): string {
  const human = options.human ?? true;
  const format = newHistoryFormat(options.format || TABLE_FORMAT, options.quiet ?? false, human);
  return renderRows(format, historyRows(entries, { trunc: !options.noTrunc, human, now: options.now }), HISTORY_HEADER);
}

// ---------------------------------------------------------------- image layers

const LAYERS_HEADER = {
  Position: 'LAYER', DiffID: 'DIFF ID', Size: 'SIZE', CreatedBy: 'CREATED BY', CreatedSince: 'CREATED', Added: 'ADDED', Modified: 'MODIFIED',
  Deleted: 'DELETED', Wasted: 'WASTED',
};
const LAYERS_TABLE = 'table {{.Position}}\t{{.DiffID}}\t{{.Size}}\t{{.Added}}\t{{.Modified}}\t{{.Deleted}}\t{{.Wasted}}\t{{.CreatedBy}}';

export interface LayersOptions {
  format?: string;
  noTrunc?: boolean;
  now: number;
}

/** One row per layer, base first; `--format json` gets the byte counts as numbers too. */
export function layerRows(layers: readonly LayerSummary[], options: { trunc: boolean; now: number }): Record<string, string | number>[] {
  return layers.map((l) => {
    const createdBy = l.createdBy.replaceAll('\t', ' ');
    return sortedKeys({
      Added: l.added,
      CreatedBy: options.trunc ? ellipsis(createdBy, 45) : createdBy,
      CreatedSince: l.created <= 0 ? 'N/A' : createdSince(l.created, options.now),
      Deleted: l.deleted,
      DiffID: options.trunc ? truncateId(l.diffId) : l.diffId,
      Modified: l.modified,
      Position: l.position,
      Size: humanSize(l.size, 3),
      SizeBytes: l.size,
      Wasted: humanSize(l.wastedBytes, 3),
      WastedBytes: l.wastedBytes,
    });
  });
}

export function formatLayers(layers: readonly LayerSummary[], options: LayersOptions): string {
  const format = !options.format || options.format === TABLE_FORMAT ? LAYERS_TABLE : options.format;
  return renderRows(format, layerRows(layers, { trunc: !options.noTrunc, now: options.now }), LAYERS_HEADER);
}

// ---------------------------------------------------------------- system df

const DF_HEADER = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };
// docker's default layouts of `system df` (its summary) and `-v` (four tables): a field per column.
const DF_COLUMNS = ['Type', 'TotalCount', 'Active', 'Size', 'Reclaimable'];
const DF_TABLE = columnsFormat(DF_COLUMNS);
const DF_IMAGE_COLUMNS = ['Repository', 'Tag', 'ID', 'CreatedSince', 'Size', 'SharedSize', 'UniqueSize', 'Containers'];
const DF_CONTAINER_COLUMNS = ['ID', 'Image', 'Command', 'LocalVolumes', 'Size', 'RunningFor', 'Status', 'Names'];
const DF_VOLUME_COLUMNS = ['Name', 'Links', 'Size'];
const DF_CACHE_COLUMNS = ['ID', 'CacheType', 'Size', 'CreatedSince', 'LastUsedSince', 'UsageCount', 'Shared'];
const CONTAINER_HEADER = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', LocalVolumes: 'LOCAL VOLUMES', Size: 'SIZE', RunningFor: 'CREATED', Status: 'STATUS',
  Names: 'NAMES', CreatedAt: 'CREATED AT', State: 'STATE',
};
const VOLUME_HEADER = { Name: 'VOLUME NAME', Links: 'LINKS', Size: 'SIZE', Driver: 'DRIVER' };
const CACHE_HEADER = {
  ID: 'CACHE ID', CacheType: 'CACHE TYPE', Size: 'SIZE', CreatedSince: 'CREATED', LastUsedSince: 'LAST USED', UsageCount: 'USAGE', Shared: 'SHARED',
  Description: 'DESCRIPTION', InUse: 'IN USE',
};

export interface DiskUsageOptions {
  format?: string;
  verbose?: boolean;
  /** docker 20.10's `-v` image table prints {{.VirtualSize}} (4 digits); newer CLIs {{.Size}}. */
  imageSizeField?: 'Size' | 'VirtualSize';
  now: number;
}

function reclaimableText(row: DiskUsageRow): string {
  if (row.type !== 'Build Cache' && row.size > 0) return `${humanSize4(row.reclaimable)} (${Math.trunc((row.reclaimable * 100) / row.size)}%)`;
  return humanSize4(row.reclaimable);
}

export function diskUsageSummaryRows(rows: readonly DiskUsageRow[]): Record<string, string>[] {
  return rows.map((r) => sortedKeys({ Active: String(r.active), Reclaimable: reclaimableText(r), Size: humanSize4(r.size), TotalCount: String(r.total), Type: r.type }));
}

/** The repository and tag a df row shows: the image's first tag, `<none>` without one. */
function dfRepoTag(img: DiskUsageImage, parse: typeof parseReference): [repo: string, tag: string] {
  const first = img.repoTags[0];
  const ref = first ? tryParse(first, parse) : undefined;
  return ref?.tag !== undefined ? [familiarName(`${ref.domain}/${ref.path}`), ref.tag] : ['<none>', '<none>'];
}

function dfImageRow(img: DiskUsageImage, trunc: boolean, now: number, parse: typeof parseReference): Record<string, string> {
  const [repo, tag] = dfRepoTag(img, parse);
  // docker's df rows leave Digest empty (its images table says <none>).
  return imageRow(img, repo, tag, '', trunc, now);
}

/**
 * `system df -v`'s images in docker's default table (DF_IMAGE_COLUMNS, `sizeField` as SIZE): each
 * row's cells, in those columns' order, straight to the tabwriter, without a row object of every
 * field (a store of 1,000 images prints 1,000 rows). The template's output whenever the
 * tabwriter would need the joined text.
 */
function dfImageTable(images: readonly DiskUsageImage[], sizeField: 'Size' | 'VirtualSize', now: number): string {
  const columns = DF_IMAGE_COLUMNS.map((c) => (c === 'Size' ? sizeField : c));
  const lines: string[][] = [columns.map((c) => IMAGE_HEADER[c as keyof typeof IMAGE_HEADER])];
  const parse = referenceParser();
  const size3 = onceEach(humanSize3);
  const size4 = onceEach(humanSize4);
  for (const img of images) {
    const [repo, tag] = dfRepoTag(img, parse);
    const size = sizeField === 'Size' ? sizeText(img, size3) : virtualSizeText(img, size4);
    lines.push([repo, tag, truncateId(img.id), createdSince(img.created, now), size, sharedSizeText(img, size4), uniqueSizeText(img, size4), containersText(img)]);
  }
  return tabwriteTable(lines) ?? renderRows(columnsFormat(columns), images.map((i) => dfImageRow(i, true, now, parse)), IMAGE_HEADER);
}

function dfContainerRow(c: DiskUsageContainer, trunc: boolean, now: number): Record<string, string> {
  let names = c.names.map((n) => n.replace(/^\//, ''));
  if (trunc) {
    const plain = names.find((n) => !n.includes('/'));
    if (plain) names = [plain];
  }
  return sortedKeys({
    Command: goQuote(trunc ? ellipsis(c.command, 20) : c.command),
    CreatedAt: goTimeString(c.created),
    ID: trunc ? truncateId(c.id) : c.id,
    Image: displayImage(c.image, c.imageId, trunc),
    Labels: Object.entries(c.labels ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(','),
    LocalVolumes: '0',
    Mounts: '',
    Names: names.join(','),
    Networks: c.network ?? '',
    Ports: displayablePorts(c.ports ?? []),
    RunningFor: `${humanDuration(now - c.created * 1000)} ago`,
    Size: humanSize(c.sizeRw, 3),
    State: c.state,
    Status: c.status,
  });
}

function dfCacheRow(b: DiskUsageBuildCache, trunc: boolean, now: number): Record<string, string> {
  const id = trunc ? truncateId(b.id) : b.id;
  return sortedKeys({
    CacheType: b.type,
    CreatedSince: `${humanDuration(now - b.createdAt * 1000)} ago`,
    Description: b.description,
    ID: b.inUse ? `${id}*` : id,
    InUse: String(b.inUse),
    LastUsedSince: b.lastUsedAt ? `${humanDuration(now - b.lastUsedAt * 1000)} ago` : '',
    Shared: String(b.shared),
    Size: humanSize(b.size, 3),
    UsageCount: String(b.usageCount),
  });
}

/** docker/cli NewDiskUsageFormat. */
export function newDiskUsageFormat(source: string, verbose: boolean): string {
  if (verbose && source === RAW_FORMAT) {
    return [
      `{{range .Images}}type: Image\n${newImageFormat(RAW_FORMAT, false, true)}\n{{end -}}`,
      '{{range .Containers}}type: Container\ncontainer_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\nstate: {{.State}}\nstatus: {{.Status}}\nnames: {{.Names}}\nsize: {{.Size}}\n{{end -}}',
      '{{range .Volumes}}type: Volume\nname: {{.Name}}\ndriver: {{.Driver}}\n{{end -}}',
      '{{range .BuildCache}}type: Build Cache\nbuild_cache_id: {{.ID}}\ntype: {{.CacheType}}\ndescription: {{.Description}}\ncreated_at: {{.CreatedSince}}\nlast_used_at: {{.LastUsedSince}}\nusage_count: {{.UsageCount}}\nin_use: {{.InUse}}\nshared: {{.Shared}}\n{{end -}}',
    ].join('\n');
  }
  if (!verbose && source === TABLE_FORMAT) return DF_TABLE;
  if (!verbose && source === RAW_FORMAT) return 'type: {{.Type}}\ntotal: {{.TotalCount}}\nactive: {{.Active}}\nsize: {{.Size}}\nreclaimable: {{.Reclaimable}}\n';
  return source;
}

/** `system df` text output (docker's DiskUsageContext.Write). */
export function formatDiskUsage(du: DiskUsageReport, options: DiskUsageOptions): string {
  const source = options.format || TABLE_FORMAT;
  const format = newDiskUsageFormat(source, options.verbose ?? false);
  if (!options.verbose) {
    const rows = diskUsageSummaryRows(du.summary);
    return format === DF_TABLE ? renderColumns(DF_COLUMNS, rows, DF_HEADER) : renderRows(format, rows, DF_HEADER);
  }
  const trunc = isTable(format);
  const cacheSorted = [...du.buildCache].sort((a, b) => (a.lastUsedAt === 0 ? -1 : b.lastUsedAt === 0 ? 1 : b.lastUsedAt - a.lastUsedAt));
  const containers = du.containers.map((c) => dfContainerRow(c, trunc, options.now));
  const cache = cacheSorted.map((b) => dfCacheRow(b, trunc, options.now));
  if (format === TABLE_FORMAT) {
    const cacheTotal = du.summary.find((r) => r.type === 'Build Cache')?.size ?? 0;
    return (
      `Images space usage:\n\n${dfImageTable(du.images, options.imageSizeField ?? 'Size', options.now)}` +
      `\nContainers space usage:\n\n${renderColumns(DF_CONTAINER_COLUMNS, containers, CONTAINER_HEADER)}` +
      `\nLocal Volumes space usage:\n\n${renderColumns(DF_VOLUME_COLUMNS, [], VOLUME_HEADER)}` +
      `\nBuild cache usage: ${humanSize4(cacheTotal)}\n\n${renderColumns(DF_CACHE_COLUMNS, cache, CACHE_HEADER)}`
    );
  }
  const parse = referenceParser();
  const data = { Images: du.images.map((i) => dfImageRow(i, trunc, options.now, parse)), Containers: containers, Volumes: [] as object[], BuildCache: cache };
  const tmpl = compile(format);
  const out = tmpl.execute(data);
  return isTable(format) ? tabwrite(out) : out;
}

/**
 * `system df -v`'s last section: what the store really occupies on disk (allocated bytes, as du
 * counts them), beside docker's logical sizes above.
 */
export function formatStoreDisk(disk: StoreDiskUsage): string {
  const rows: [string, number][] = [
    ['Blobs (layers as stored, configs, manifests)', disk.blobs],
    ['  of which second compressed forms', disk.secondForms],
    ['Unpacked snapshots', disk.snapshots],
    ["Containers' writable layers", disk.containers],
    ['Build cache (layers no image uses, scratch)', disk.buildCache],
    ['Metadata (database, its log and reserve)', disk.metadata],
    ['Total', disk.total],
    ["Reclaimable by 'strata system gc'", disk.gcReclaimable],
  ];
  return `\nStored on disk (what Strata occupies; the sizes above are docker's):\n\n${tabwrite(['WHAT\tON DISK', ...rows.map(([what, n]) => `${what}\t${humanSize4(n)}`)].join('\n') + '\n')}`;
}

export { finalFormat };

// ---------------------------------------------------------------- the `images` command's output

export interface ImagesCommandOptions {
  all?: boolean;
  filters?: Record<string, string[]>;
  format?: string;
  quiet?: boolean;
  noTrunc?: boolean;
  digests?: boolean;
  /** docker 29's tree view (docker's default; Strata's `--tree`) when no other output option is set. */
  tree?: boolean;
  width?: number;
  now: number;
}

/**
 * What `images` prints for the images the store returned. The classic table shows dangling images
 * as `<none> <none>` rows (docker 20.10 to 28, and the store already left out intermediate ones);
 * docker 29's tree view leaves untagged images out unless `-a` or `dangling=true` asks for them.
 */
export function formatImagesCommand(images: readonly TreeImage[], options: ImagesCommandOptions): string {
  const useTree = options.tree && !options.quiet && !options.noTrunc && !options.digests && !options.format;
  if (useTree) {
    return formatImageTree(images, { all: options.all ?? false, danglingTrue: options.filters?.dangling?.includes('true') ?? false, ...(options.width ? { width: options.width } : {}) });
  }
  return formatImageList(images, { format: options.format || TABLE_FORMAT, quiet: options.quiet ?? false, noTrunc: options.noTrunc ?? false, digests: options.digests ?? false, now: options.now });
}
