import { setTimeout as sleep } from 'node:timers/promises';
import type { Stores } from '../stores.ts';
import type { ProgressSink } from '../api.ts';
import type { ImageRecord, LayerInput } from '../image/image-service.ts';
import { isIndexMediaType, isManifestMediaType, type Descriptor, type ImageConfig, type Index, type Manifest, type Platform } from '../image/oci.ts';
import { familiarName, familiarString, formatReference, parseReference, repositoryName, type Reference } from '../image/reference.ts';
import { imageEvent } from '../events/event-log.ts';
import { DigestMismatchError, SizeMismatchError } from '../store/content-store.ts';
import { ingestLayer } from '../layer/layer-ingest.ts';
import { shortId } from '../../../shared/format.ts';
import { repositoryScope } from './auth.ts';
import type { RegistryClient } from './client.ts';
import { isTransientNetworkError } from './http.ts';
import { BlobBody } from './blob-body.ts';
import { errorCode, StrataError } from '../../../shared/errors.ts';
import { RegistryError, UnauthorizedError } from './errors.ts';
import { defaultPlatform, formatPlatform, normalizePlatform, parsePlatform, platformMatches, selectManifest } from './platform.ts';
import { openClient, type RegistryOptions } from './session.ts';
import { ensureRegistrySchema, recordBlobSources } from './sources.ts';
import { Limiter, progressThrottle, removeUnrecorded } from './transfer.ts';

export interface PullOptions extends RegistryOptions {
  /** `os/arch[/variant]`; defaults to the host's. */
  platform?: string | Platform;
  onProgress?: ProgressSink;
  /** Layers downloaded at once (docker's max-concurrent-downloads: 3). */
  concurrency?: number;
}

export interface PullResult {
  image: ImageRecord;
  /** The full reference pulled: `docker.io/library/busybox:latest`. */
  reference: string;
  /** Digest of what the reference named (an index for multi-platform images). */
  digest: string;
  /** True when anything was downloaded or the tag moved (docker's "Downloaded newer image"). */
  updated: boolean;
  layersDownloaded: number;
  layersSkipped: number;
}

interface LayerPlan {
  descriptor: Descriptor;
  diffId: string;
  /** Already in the store: blob and layer record. */
  known: LayerInput | undefined;
}

/** What the steps of one pull share. */
interface PullContext {
  engine: Stores;
  client: RegistryClient;
  ref: Reference;
  scopes: string[];
  emit: ProgressSink;
  /** Cancels the other transfers when one fails. */
  internal: AbortController;
  /** Blobs this pull wrote to the content store: removed again if the pull fails. */
  created: Set<string>;
}

/**
 * `docker pull`: resolve the reference to one platform's manifest, download the config and the
 * layers the store lacks (three at a time, verified, resumed with Range after a broken
 * connection), and commit the image with the registry's exact manifest and config bytes.
 * Anything a failed or cancelled pull wrote is removed again; nothing half-done is recorded.
 */
export async function pull(engine: Stores, input: string, options: PullOptions = {}): Promise<PullResult> {
  ensureRegistrySchema(engine.db);
  const ref = parseReference(input);
  const internal = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, internal.signal]) : internal.signal;
  const session = await openClient(engine, ref.domain, { ...options, signal });
  const ctx: PullContext = {
    engine, client: session.client, ref, scopes: [repositoryScope(ref.path, 'pull')],
    emit: options.onProgress ?? (() => {}), internal, created: new Set(),
  };
  const wanted = options.platform === undefined ? undefined : typeof options.platform === 'string' ? parsePlatform(options.platform) : normalizePlatform(options.platform);
  try {
    const result = await engine.gc.withLease(() => pullImage(ctx, wanted, options.concurrency ?? 3));
    // A layer loaded as a plain tar is now kept as the pulled gzip: its tar goes (docs/store.md).
    removeUnrecorded(engine, [...engine.images.takeSuperseded(), ...ctx.created]);
    return result;
  } catch (err) {
    internal.abort();
    removeUnrecorded(engine, ctx.created);
    if (options.signal?.aborted) throw options.signal.reason ?? err;
    throw pullError(session.explain(err), ref);
  }
}

export interface PullAllTagsResult {
  /** The repository pulled: `docker.io/library/busybox`. */
  reference: string;
  /** One pull per tag, in the registry's order. */
  tags: { tag: string; result: PullResult }[];
  updated: boolean;
}

/**
 * `docker pull --all-tags`: every tag the registry lists for the repository, pulled one after the
 * other (layers shared between them are fetched once), with docker's single closing status line.
 * Stops at the first tag that fails, as docker does.
 */
export async function pullAllTags(engine: Stores, input: string, options: PullOptions = {}): Promise<PullAllTagsResult> {
  const ref = parseReference(input, { defaultTag: false });
  if (ref.tag !== undefined || ref.digest !== undefined) throw new StrataError('invalid', "tag can't be used with --all-tags/-a");
  const repository = repositoryName(ref);
  const session = await openClient(engine, ref.domain, options);
  let tags: string[];
  try {
    tags = await session.client.listTags(ref.path, [repositoryScope(ref.path, 'pull')]);
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason ?? err;
    throw pullError(session.explain(err), ref);
  }
  if (tags.length === 0) throw new StrataError('not-found', `no tags found for ${familiarName(repository)}`);
  const emit = options.onProgress ?? (() => {});
  const results: { tag: string; result: PullResult }[] = [];
  for (const tag of tags) {
    const result = await pull(engine, `${repository}:${tag}`, {
      ...options,
      // Each tag's own "Status:" line gives way to one for the repository, below.
      onProgress: (e) => { if (!(e.id === '' && e.status.startsWith('Status: '))) emit(e); },
    });
    results.push({ tag, result });
  }
  const updated = results.some((r) => r.result.updated);
  emit({ id: '', status: `Status: ${updated ? 'Downloaded newer image' : 'Image is up to date'} for ${familiarName(repository)}` });
  return { reference: repository, tags: results, updated };
}

async function pullImage(ctx: PullContext, wanted: Platform | undefined, concurrency: number): Promise<PullResult> {
  const { engine, ref } = ctx;
  const resolved = await resolveManifest(ctx.client, ref, ctx.scopes, wanted);
  const { top, manifest } = resolved;
  // moby says it once the registry answered for the manifest: a missing one prints nothing before the error.
  ctx.emit({ id: '', status: `${ref.tag ?? ref.digest!}: Pulling from ${ref.path}` });
  const configDigest = manifest.config.digest;
  const before = engine.images.get(configDigest);
  const oldTagged = ref.tag !== undefined ? engine.images.tryResolve(formatReference({ domain: ref.domain, path: ref.path, tag: ref.tag })) : undefined;
  const complete = before !== undefined && engine.images.layers(configDigest).length === manifest.layers.length;
  const config = complete ? engine.images.readConfig(configDigest) : await fetchConfig(ctx, manifest.config);
  // An index was already matched against the platform; a single manifest is checked by its config.
  if (wanted && !isIndexMediaType(top.mediaType)) checkPlatform(config, wanted, ref);
  const { layers, downloaded } = complete
    ? { layers: engine.images.layers(configDigest).map((l): LayerInput => ({ ...l })), downloaded: 0 }
    : await layersOf(ctx, manifest, config, concurrency);
  const image = await commitPulled(ctx, resolved, layers);
  const updated = downloaded > 0 || !before || (ref.tag !== undefined && oldTagged !== configDigest);
  ctx.emit({ id: '', status: `Digest: ${top.digest}` });
  ctx.emit({ id: '', status: `Status: ${updated ? 'Downloaded newer image' : 'Image is up to date'} for ${familiarString(ref)}` });
  return {
    image, reference: formatReference(ref), digest: top.digest, updated,
    layersDownloaded: downloaded, layersSkipped: manifest.layers.length - downloaded,
  };
}

/** Plans each layer (known or to fetch) against the config's diff IDs and fetches what is missing. */
async function layersOf(ctx: PullContext, manifest: Manifest, config: ImageConfig, concurrency: number): Promise<{ layers: LayerInput[]; downloaded: number }> {
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw new StrataError('data-loss', `invalid image: the config lists ${diffIds.length} layers but the manifest ${manifest.layers.length}`);
  }
  const plans = manifest.layers.map((d, i): LayerPlan => ({ descriptor: d, diffId: diffIds[i]!, known: knownLayer(ctx.engine, d) }));
  return downloadLayers(ctx, plans, concurrency);
}

/** Stores the manifest bytes and records the image, its tag and repo digest, and where its blobs live. */
async function commitPulled(ctx: PullContext, resolved: ResolvedManifest, layers: LayerInput[]): Promise<ImageRecord> {
  const { engine, ref } = ctx;
  const { manifest, manifestBytes, manifestDigest } = resolved;
  if (!engine.content.has(manifestDigest)) {
    await engine.content.put(manifestBytes, { digest: manifestDigest });
    ctx.created.add(manifestDigest);
  }
  const image = engine.images.commit({
    configDigest: manifest.config.digest,
    configSize: manifest.config.size,
    manifestDigest,
    manifestSize: manifestBytes.length,
    manifestMediaType: resolved.manifestMediaType,
    layers,
    ...(ref.tag !== undefined ? { tags: [formatReference({ domain: ref.domain, path: ref.path, tag: ref.tag })] } : {}),
    repoDigests: [{ repository: repositoryName(ref), digest: resolved.top.digest }],
    // docker announces the pull under the reference asked for, the image's labels beside its name.
    events: [imageEvent('pull', familiarString(ref), familiarName(repositoryName(ref)), engine.images.readConfig(manifest.config.digest).config?.Labels ?? {})],
  });
  recordBlobSources(engine.db, ref.domain, ref.path, [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]);
  return image;
}

function checkPlatform(config: ImageConfig, wanted: Platform, ref: Reference): void {
  const actual = normalizePlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) });
  if (!platformMatches(wanted, actual)) {
    throw new StrataError('not-found',
      `image with reference ${familiarString(ref)} was found but does not match the specified platform: wanted ${formatPlatform(wanted)}, actual: ${formatPlatform(actual)}`,
    );
  }
}

interface ResolvedManifest {
  /** What the reference named (maybe an index). */
  top: { digest: string; mediaType: string };
  manifest: Manifest;
  manifestBytes: Buffer;
  manifestDigest: string;
  manifestMediaType: string;
}

async function resolveManifest(client: RegistryClient, ref: Reference, scopes: string[], wanted: Platform | undefined): Promise<ResolvedManifest> {
  const top = await client.getManifest(ref.path, ref.digest ?? ref.tag!, scopes);
  let fetched = top;
  if (isIndexMediaType(top.mediaType)) {
    const index = parseJson<Index>(top.bytes, 'manifest list');
    if (!Array.isArray(index.manifests)) throw new StrataError('data-loss', 'invalid manifest list: no manifests');
    const choice = selectManifest(index.manifests, wanted ?? defaultPlatform());
    fetched = await client.getManifest(ref.path, choice.digest, scopes);
  }
  if (!isManifestMediaType(fetched.mediaType)) {
    throw new StrataError('unsupported', `unsupported manifest media type ${fetched.mediaType}: only Docker schema 2 and OCI image manifests can be pulled`);
  }
  const manifest = parseJson<Manifest>(fetched.bytes, 'manifest');
  if (manifest.schemaVersion !== 2 || !manifest.config?.digest || !Array.isArray(manifest.layers)) {
    throw new StrataError('data-loss', `invalid manifest ${fetched.digest}: not an image manifest`);
  }
  return {
    top: { digest: top.digest, mediaType: top.mediaType },
    manifest, manifestBytes: fetched.bytes, manifestDigest: fetched.digest, manifestMediaType: fetched.mediaType,
  };
}

function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new StrataError('data-loss', `invalid ${what}: not JSON`);
  }
}

/** A layer whose blob and record are already in the store: nothing to download. */
function knownLayer(engine: Stores, d: Descriptor): LayerInput | undefined {
  if (!engine.content.has(d.digest)) return undefined;
  const row = engine.db
    .prepare('SELECT lb.diff_id, lb.compression, l.size, l.diff_size FROM layer_blobs lb JOIN layers l ON l.diff_id = lb.diff_id WHERE lb.blob_digest = ?')
    .get(d.digest) as { diff_id: string; compression: LayerInput['compression']; size: number; diff_size: number } | undefined;
  if (!row) return undefined;
  return { blobDigest: d.digest, blobSize: d.size, mediaType: d.mediaType, compression: row.compression, diffId: row.diff_id, size: row.size, diffSize: row.diff_size };
}

async function fetchConfig(ctx: PullContext, d: Descriptor): Promise<ImageConfig> {
  const { engine } = ctx;
  if (!engine.content.has(d.digest)) {
    try {
      await engine.content.ingest(blobBytes(ctx.client, ctx.ref.path, d, ctx.scopes, () => {}), { digest: d.digest, size: d.size });
    } catch (err) {
      if (err instanceof DigestMismatchError || err instanceof SizeMismatchError) throw new StrataError('data-loss', `image config verification failed for digest ${d.digest}`);
      throw err;
    }
    ctx.created.add(d.digest);
  }
  return parseJson<ImageConfig>(engine.content.readBytes(d.digest), 'image config');
}

async function downloadLayers(ctx: PullContext, plans: LayerPlan[], concurrency: number): Promise<{ layers: LayerInput[]; downloaded: number }> {
  const { emit } = ctx;
  const layers: (LayerInput | undefined)[] = plans.map((p) => p.known);
  // The same blob twice in one manifest is fetched once.
  const firstOf = new Map<string, number>();
  plans.forEach((p, i) => { if (!firstOf.has(p.descriptor.digest)) firstOf.set(p.descriptor.digest, i); });
  const toFetch = plans.map((_, i) => i).filter((i) => !plans[i]!.known && firstOf.get(plans[i]!.descriptor.digest) === i);
  for (const [i, p] of plans.entries()) {
    if (p.known || firstOf.get(p.descriptor.digest) !== i) emit({ id: shortId(p.descriptor.digest), status: 'Already exists' });
    else emit({ id: shortId(p.descriptor.digest), status: 'Pulling fs layer' });
  }
  toFetch.slice(concurrency).forEach((i) => emit({ id: shortId(plans[i]!.descriptor.digest), status: 'Waiting' }));

  const limiter = new Limiter(concurrency);
  const done = new Set<number>();
  let nextComplete = 0;
  const completeInOrder = (): void => {
    // docker reports "Pull complete" in layer order, as each layer and those below it are in.
    while (nextComplete < plans.length && (plans[nextComplete]!.known || done.has(firstOf.get(plans[nextComplete]!.descriptor.digest)!))) {
      const p = plans[nextComplete]!;
      if (!p.known && firstOf.get(p.descriptor.digest) === nextComplete) emit({ id: shortId(p.descriptor.digest), status: 'Pull complete' });
      nextComplete++;
    }
  };
  const jobs = toFetch.map((i) =>
    limiter.run(async () => {
      const plan = plans[i]!;
      const layer = await downloadLayer(ctx, plan);
      layers[i] = layer;
      done.add(i);
      completeInOrder();
    }).catch((err: unknown) => {
      ctx.internal.abort(err);
      throw err;
    }),
  );
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw firstRealError(results, failed.reason);
  completeInOrder();
  const resolved = plans.map((p, i) => layers[i] ?? layers[firstOf.get(p.descriptor.digest)!]!);
  return { layers: resolved, downloaded: toFetch.length };
}

/** The failure that caused the others (which were cancelled because of it). */
function firstRealError(results: PromiseSettledResult<unknown>[], fallback: unknown): unknown {
  const real = results.find((r) => r.status === 'rejected' && !(r.reason instanceof Error && r.reason.name === 'AbortError'));
  return real && real.status === 'rejected' ? real.reason : fallback;
}

async function downloadLayer(ctx: PullContext, plan: LayerPlan): Promise<LayerInput> {
  const { engine, emit } = ctx;
  const d = plan.descriptor;
  const id = shortId(d.digest);
  const progress = progressThrottle((current) => emit({ id, status: 'Downloading', current, total: d.size }));
  const existed = engine.content.has(d.digest);
  let layer;
  try {
    // On this thread: a worker's second V8 heap (and the buffers it copies) cost ~60 MB of peak
    // memory on a 1 GB layer and bought no speed on two shared cores (docs/performance.md).
    const consumed = new ConsumedBytes();
    const bytes = blobBytes(ctx.client, ctx.ref.path, d, ctx.scopes, progress.update, consumed);
    layer = await ingestLayer(engine.content, bytes, { digest: d.digest, size: d.size }, { onConsumed: (n) => consumed.done(n) });
  } catch (err) {
    if (err instanceof DigestMismatchError) throw new StrataError('data-loss', `filesystem layer verification failed for digest ${d.digest}`);
    if (err instanceof SizeMismatchError) throw new StrataError('data-loss', `filesystem layer verification failed for digest ${d.digest}: ${err.message}`);
    throw err;
  }
  if (!existed) ctx.created.add(d.digest);
  progress.flush();
  emit({ id, status: 'Verifying Checksum' });
  if (layer.diffId !== plan.diffId) {
    throw new StrataError('data-loss', `layer ${d.digest} unpacks to ${layer.diffId}, but the image config says ${plan.diffId}`);
  }
  emit({ id, status: 'Download complete' });
  return {
    blobDigest: layer.blob.digest, blobSize: layer.blob.size, mediaType: d.mediaType, compression: layer.compression,
    diffId: layer.diffId, size: layer.size, diffSize: layer.diffSize, files: layer.files,
  };
}

/** A blob this size or more (a layer; a config is a few KB) is read into a reused buffer (see RegistryClient.openBlob). */
const LARGE_BLOB = 256 * 1024;

/**
 * The bytes of a blob, fetched again from where they broke off (a Range request) when the
 * connection fails or ends early; the consumer hashes the whole stream, so the result is
 * verified as a whole however many pieces it arrived in.
 */
export async function* blobBytes(
  client: RegistryClient, repository: string, d: Descriptor, scopes: string[], onBytes: (received: number) => void,
  consumed?: ConsumedBytes,
): AsyncGenerator<Buffer> {
  const retries = client.downloadRetries;
  const backoffMs = client.backoffMs;
  let received = 0;
  let failures = 0;
  for (;;) {
    let body: NodeJS.ReadableStream & { destroy(): void } | undefined;
    try {
      const res = await client.openBlob(repository, d.digest, scopes, received, { large: d.size >= LARGE_BLOB });
      body = res.body;
      let skip = received > 0 && res.status === 200 ? received : 0; // the server ignored Range: drop what we have
      if (res.status === 206 && !new RegExp(`^bytes ${received}-`).test(String(res.headers['content-range'] ?? ''))) {
        throw new StrataError('data-loss', `registry answered a range request for ${d.digest} with the wrong range`);
      }
      if (consumed && skip === 0 && res.body instanceof BlobBody) lendTo(consumed, res.body, received);
      for await (const raw of res.body as AsyncIterable<Buffer>) {
        let chunk = raw;
        if (skip > 0) {
          const n = Math.min(skip, chunk.length);
          chunk = chunk.subarray(n);
          skip -= n;
          if (chunk.length === 0) continue;
        }
        if (received + chunk.length > d.size) throw new SizeMismatchError(d.size, received + chunk.length, d.digest);
        received += chunk.length;
        onBytes(received);
        // Socket reads as they come (~64 KiB): the ingest keeps its file writes and
        // decompression in flight, and joining reads would only add copies and garbage.
        yield chunk;
      }
      if (received === d.size) return;
      throw Object.assign(new Error('premature end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    } catch (err) {
      const retryable = isTransientNetworkError(err) || (err instanceof RegistryError && err.status >= 500);
      if (!retryable || failures >= retries || client.signal?.aborted) {
        if (retryable && errorCode(err) === 'deadline-exceeded' && !client.signal?.aborted) {
          throw new StrataError('deadline-exceeded', `downloading ${d.digest}: ${(err as Error).message}; got ${received} of ${d.size} bytes after ${failures + 1} attempts`, { cause: err });
        }
        if (retryable && !(err instanceof RegistryError) && !client.signal?.aborted) {
          throw new StrataError('unavailable', `unexpected EOF downloading ${d.digest}: got ${received} of ${d.size} bytes after ${failures + 1} attempts`);
        }
        throw err;
      }
      failures++;
      await sleep(backoffMs * 2 ** (failures - 1), undefined, client.signal ? { signal: client.signal } : {});
    } finally {
      body?.destroy();
    }
  }
}

/**
 * How far the consumer of a download has got: the bytes (counted from the blob's first) it no
 * longer needs. A body lent in a reused buffer (BlobBody) reads into their room again only then.
 */
export class ConsumedBytes {
  private follower: ((total: number) => void) | undefined;

  /** The consumer is done with the first `total` bytes. */
  done(total: number): void {
    this.follower?.(total);
  }

  follow(follower: (total: number) => void): void {
    this.follower = follower;
  }
}

/** The body's views go to the consumer as they are; `base`: the blob's bytes before this body's first. */
function lendTo(consumed: ConsumedBytes, body: BlobBody, base: number): void {
  const release = body.lend();
  consumed.follow((total) => { if (total > base) release(total - base); });
}

/** docker's wording for the common ways a pull is refused. */
function pullError(err: unknown, ref: Reference): unknown {
  const name = familiarName(repositoryName(ref));
  if (err instanceof RegistryError && err.status === 404 && err.hasCode('MANIFEST_UNKNOWN')) {
    return new StrataError('not-found', `manifest for ${familiarString(ref)} not found: ${err.message}`);
  }
  if ((err instanceof RegistryError && (err.status === 404 || err.status === 403) && !err.hasCode('BLOB_UNKNOWN')) || (err instanceof UnauthorizedError && ref.domain === 'docker.io')) {
    return new StrataError(errorCode(err), `pull access denied for ${name}, repository does not exist or may require 'docker login': ${(err as Error).message}`, { cause: err });
  }
  return err;
}
