import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Stores } from '../stores.ts';
import type { ProgressSink } from '../api.ts';
import { MediaType, layerMediaType, type Descriptor, type Manifest } from '../image/oci.ts';
import { familiarName, familiarString, formatReference, parseReference, repositoryName, type Reference } from '../image/reference.ts';
import { imageEvent, type NewEvent } from '../events/event-log.ts';
import { shortId } from '../../../shared/format.ts';
import { repositoryScope } from './auth.ts';
import { isTransient, type RegistryClient } from './client.ts';
import { RegistryError } from './errors.ts';
import { openClient, type RegistryOptions } from './session.ts';
import { blobSources, ensureRegistrySchema, recordBlobSources } from './sources.ts';
import { Limiter, progressThrottle, removeUnrecorded } from './transfer.ts';
import type { ImageLayer } from '../image/image-service.ts';
import { formIn, type LayerForm } from '../layer/layer-forms.ts';
import { compressLayer } from '../layer/layer-compress.ts';
import { StrataError } from '../../../shared/errors.ts';

export interface PushOptions extends RegistryOptions {
  onProgress?: ProgressSink;
  /** Layers uploaded at once (docker's max-concurrent-uploads: 5). */
  concurrency?: number;
  /**
   * Blobs up to this size go in one `PUT ?digest=` (monolithic); larger ones in `PATCH` chunks of
   * this size with Content-Range, closed by an empty `PUT ?digest=`. Default 64 MiB.
   */
  chunkSize?: number;
  /**
   * How layers stored as plain tars are sent (docker's and BuildKit's `compression=`): gzip by
   * default, as `docker push` does, or zstd.
   */
  compression?: PushCompression;
  /**
   * Recompress layers already stored compressed another way (BuildKit's `force-compression`);
   * without it a layer pulled as gzip is pushed as that gzip even when zstd is asked for.
   */
  forceCompression?: boolean;
}

export type PushCompression = 'gzip' | 'zstd';

/** Parses `--compression`: docker's and BuildKit's names. */
export function parseCompression(value: string): PushCompression {
  if (value === 'gzip' || value === 'zstd') return value;
  if (value === 'uncompressed' || value === 'estargz') {
    throw new StrataError('unsupported', `compression "${value}" is not supported by strata push: use gzip (the default) or zstd`);
  }
  throw new StrataError('invalid', `invalid compression "${value}": use gzip or zstd`);
}

export interface PushResult {
  /** Full reference pushed: `127.0.0.1:5000/app:latest`. */
  reference: string;
  tag: string;
  /** Digest and size of the manifest the tag now names. */
  digest: string;
  size: number;
  pushed: number;
  mounted: number;
  existed: number;
}

interface PushManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
  manifest: Manifest;
}

/** One layer of the image and the stored form it is pushed as. */
interface PushLayer {
  layer: ImageLayer;
  form: LayerForm;
}

/**
 * `docker push`: for each blob of the image's manifest, ask the registry whether the repository
 * already has it (HEAD), mount it from another repository of the same registry that we know holds
 * it, or upload it; then PUT the manifest under the tag and record the repo digest. The manifest
 * is the stored one, byte for byte, so the digest is the same everywhere.
 */
export async function push(engine: Stores, input: string, options: PushOptions = {}): Promise<PushResult> {
  ensureRegistrySchema(engine.db);
  const ref = parseReference(input);
  if (ref.digest !== undefined) throw new StrataError('invalid', 'cannot push a digest reference');
  const tag = ref.tag!;
  const emit: ProgressSink = options.onProgress ?? (() => {});
  // moby's push stream says where it goes before it looks for the image.
  emit({ id: '', status: `The push refers to repository [${repositoryName(ref)}]` });
  const imageId = engine.images.tryResolve(formatReference(ref));
  if (!imageId) throw new StrataError('not-found', `An image does not exist locally with the tag: ${familiarName(repositoryName(ref))}`);
  const session = await openClient(engine, ref.domain, options);
  const { client } = session;
  const scopes = [repositoryScope(ref.path, 'push,pull')];

  try {
    const result = await engine.gc.withLease(async () => {
      const stored = await storedManifest(engine, imageId);
      const flavour = manifestFlavour(stored, options);
      const { layers, counts } = await pushLayers(engine, client, ref, imageId, flavour, scopes, options, emit);
      const m = await manifestFor(engine, imageId, stored, flavour, layers);
      await pushBlob(engine, client, ref, m.manifest.config, scopes, options, () => {});
      const digest = await client.putManifest(ref.path, tag, m.bytes, m.mediaType, scopes);
      if (digest !== m.digest) throw new StrataError('data-loss', `registry stored the manifest as ${digest}, expected ${m.digest}`);
      recordBlobSources(engine.db, ref.domain, ref.path, [m.manifest.config.digest, ...m.manifest.layers.map((l) => l.digest)]);
      recordRepoDigest(engine, imageId, m, layers, ref, imageEvent('push', familiarString(ref), familiarName(repositoryName(ref)), engine.images.get(imageId)?.labels ?? {}));
      emit({ id: '', status: `${tag}: digest: ${m.digest} size: ${m.bytes.length}` });
      return { reference: formatReference(ref), tag, digest: m.digest, size: m.bytes.length, ...counts };
    });
    // Layers now kept as the gzip just written no longer need their plain tars (docs/store.md).
    removeUnrecorded(engine, [...engine.images.takeSuperseded(), result.digest]);
    return result;
  } catch (err) {
    removeUnrecorded(engine, engine.images.takeSuperseded());
    if (options.signal?.aborted) throw options.signal.reason ?? err;
    throw session.explain(err);
  }
}

/**
 * `docker push --all-tags`: every tag of the repository in the store, one after the other, under
 * one "The push refers to repository" line. Blobs the first tags pushed are "already there" for
 * the next ones.
 */
export async function pushAllTags(engine: Stores, input: string, options: PushOptions = {}): Promise<PushResult[]> {
  const ref = parseReference(input, { defaultTag: false });
  if (ref.tag !== undefined || ref.digest !== undefined) throw new StrataError('invalid', "tag can't be used with --all-tags/-a");
  const repository = repositoryName(ref);
  const tags = engine.images.tagsInRepository(repository);
  if (tags.length === 0) throw new StrataError('not-found', `An image does not exist locally with the tag: ${familiarName(repository)}`);
  const emit: ProgressSink = options.onProgress ?? (() => {});
  const results: PushResult[] = [];
  for (const [i, [tag]] of tags.entries()) {
    results.push(await push(engine, `${repository}:${tag}`, {
      ...options,
      onProgress: (e) => { if (i === 0 || !(e.id === '' && e.status.startsWith('The push refers to repository'))) emit(e); },
    }));
  }
  return results;
}

/** The image's manifest as stored, if it has one. */
async function storedManifest(engine: Stores, imageId: string): Promise<PushManifest | undefined> {
  const record = engine.images.get(imageId)!;
  if (!record.manifestDigest || !engine.content.has(record.manifestDigest)) return undefined;
  const bytes = engine.content.readBytes(record.manifestDigest);
  const manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
  const row = engine.db.prepare('SELECT media_type FROM blobs WHERE digest = ?').get(record.manifestDigest) as { media_type: string } | undefined;
  const mediaType = manifest.mediaType || row?.media_type || MediaType.OciManifest;
  if (manifest.config?.digest !== imageId) throw new StrataError('data-loss', `stored manifest ${record.manifestDigest} does not describe image ${shortId(imageId)}`);
  return { bytes, digest: record.manifestDigest, mediaType, manifest };
}

/**
 * Docker schema 2 for an image that came with one (docker's own push writes it), OCI otherwise;
 * zstd layers have only OCI media types, so asking for zstd makes an OCI manifest (as BuildKit).
 */
function manifestFlavour(stored: PushManifest | undefined, options: PushOptions): 'oci' | 'docker' {
  if (options.compression === 'zstd') return 'oci';
  return stored?.mediaType === MediaType.DockerManifest ? 'docker' : 'oci';
}

/**
 * The manifest pushed: the stored bytes when they name exactly the blobs pushed, each with a media
 * type (a pulled image goes back with the digest it came with); otherwise a manifest written now
 * over the pushed forms — the same bytes every time for the same forms — stored so the image keeps it.
 */
async function manifestFor(engine: Stores, imageId: string, stored: PushManifest | undefined, flavour: 'oci' | 'docker', layers: PushLayer[]): Promise<PushManifest> {
  const reusable = stored && stored.manifest.config.mediaType && stored.manifest.layers.length === layers.length &&
    stored.manifest.layers.every((d, i) => d.mediaType && d.digest === layers[i]!.form.blobDigest);
  if (reusable) return stored;
  const oci = flavour === 'oci' || layers.some((l) => l.form.compression === 'zstd');
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: oci ? MediaType.OciManifest : MediaType.DockerManifest,
    config: { mediaType: oci ? MediaType.OciConfig : MediaType.DockerConfig, digest: imageId, size: engine.content.size(imageId)! },
    layers: layers.map((l) => ({ mediaType: layerMediaType(l.form.compression, oci ? 'oci' : 'docker'), digest: l.form.blobDigest, size: l.form.blobSize })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const blob = await engine.content.put(bytes);
  return { bytes, digest: blob.digest, mediaType: manifest.mediaType!, manifest };
}

/** Records the pushed manifest as the image's (its layers are now stored as the pushed forms) and the repo digest. */
function recordRepoDigest(engine: Stores, imageId: string, m: PushManifest, layers: PushLayer[], ref: Reference, pushed: NewEvent): void {
  engine.images.commit({
    configDigest: imageId, configSize: m.manifest.config.size, manifestDigest: m.digest, manifestSize: m.bytes.length,
    manifestMediaType: m.mediaType,
    layers: layers.map(({ layer, form }) => ({ ...layer, blobDigest: form.blobDigest, blobSize: form.blobSize, compression: form.compression, mediaType: form.mediaType })),
    repoDigests: [{ repository: repositoryName(ref), digest: m.digest }],
    events: [pushed],
  });
}

type BlobOutcome = 'pushed' | 'mounted' | 'existed';

async function pushLayers(
  engine: Stores, client: RegistryClient, ref: Reference, imageId: string, flavour: 'oci' | 'docker', scopes: string[], options: PushOptions, emit: ProgressSink,
): Promise<{ layers: PushLayer[]; counts: { pushed: number; mounted: number; existed: number } }> {
  const image = engine.images.layers(imageId);
  // docker names each layer by its diff ID, lists them top first and pushes each distinct one once.
  const unique = [...new Map(image.map((l) => [l.diffId, l])).values()].reverse();
  const concurrency = options.concurrency ?? 5;
  for (const l of unique) emit({ id: shortId(l.diffId), status: 'Preparing' });
  unique.slice(concurrency).forEach((l) => emit({ id: shortId(l.diffId), status: 'Waiting' }));
  const limiter = new Limiter(concurrency);
  const counts = { pushed: 0, mounted: 0, existed: 0 };
  const forms = new Map<string, LayerForm>();
  const internal = new AbortController();
  const results = await Promise.allSettled(
    unique.map((l) =>
      limiter.run(async () => {
        if (internal.signal.aborted) throw internal.signal.reason;
        const id = shortId(l.diffId);
        const form = await formToPush(engine, l, flavour, options);
        forms.set(l.diffId, form);
        const d: Descriptor = { mediaType: form.mediaType, digest: form.blobDigest, size: form.blobSize };
        const outcome = await pushBlob(engine, client, ref, d, scopes, options, (status, current) =>
          emit({ id, status, ...(current !== undefined ? { current, total: d.size } : {}) }),
        );
        counts[outcome]++;
      }).catch((err: unknown) => {
        internal.abort(err);
        throw err;
      }),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return { layers: image.map((layer) => ({ layer, form: forms.get(layer.diffId)! })), counts };
}

/**
 * The stored form a layer is pushed as: one in the compression asked for; else the compressed
 * form the image has (unless recompression is forced); else one written now from the layer's
 * tar (docker compresses at push time too) and kept, so the next push and the registry's
 * "already exists" check use it without compressing again.
 */
async function formToPush(engine: Stores, layer: ImageLayer, flavour: 'oci' | 'docker', options: PushOptions): Promise<LayerForm> {
  const wanted = options.compression ?? 'gzip';
  const existing = formIn(engine.db, engine.content, layer.diffId, wanted);
  if (existing) return existing;
  if (layer.compression !== 'none' && !options.forceCompression) {
    return { blobDigest: layer.blobDigest, blobSize: layer.blobSize, compression: layer.compression, mediaType: layer.mediaType };
  }
  const blob = await compressLayer(engine, layer, wanted);
  const mediaType = layerMediaType(wanted, wanted === 'zstd' ? 'oci' : flavour);
  engine.images.recordLayerForm(layer.diffId, blob, wanted, mediaType);
  return { blobDigest: blob.digest, blobSize: blob.size, compression: wanted, mediaType };
}

/** Puts one blob in the repository unless it is there already; reports docker's statuses. */
async function pushBlob(
  engine: Stores, client: RegistryClient, ref: Reference, d: Descriptor, scopes: string[], options: PushOptions,
  report: (status: string, current?: number) => void,
): Promise<BlobOutcome> {
  if (!engine.content.has(d.digest)) throw new StrataError('data-loss', `blob ${d.digest} is missing from the store; cannot push ${familiarName(repositoryName(ref))}`);
  if (await client.hasBlob(ref.path, d.digest, scopes)) {
    report('Layer already exists');
    return 'existed';
  }
  let location: URL | undefined;
  for (const from of blobSources(engine.db, ref.domain, d.digest).filter((r) => r !== ref.path)) {
    const mountScopes = [...scopes, repositoryScope(from, 'pull')];
    try {
      location = await client.mountBlob(ref.path, d.digest, from, mountScopes);
    } catch (err) {
      if (err instanceof RegistryError && err.status < 500) continue; // not allowed there: try the next or upload
      throw err;
    }
    if (location === undefined) {
      report(`Mounted from ${from}`);
      return 'mounted';
    }
    break; // the registry opened an ordinary upload instead
  }
  const chunkSize = options.chunkSize ?? 64 * 1024 * 1024;
  for (let attempt = 0; ; attempt++) {
    try {
      location ??= await client.startUpload(ref.path, scopes);
      await uploadBlob(engine, client, location, d, scopes, chunkSize, (sent) => report('Pushing', sent));
      break;
    } catch (err) {
      // The upload broke and could not be resumed (distribution cancels an upload whose size no
      // longer matches its state): start a fresh one.
      const restartable = isTransient(err) || (err instanceof RegistryError && (err.hasCode('BLOB_UPLOAD_INVALID') || err.hasCode('BLOB_UPLOAD_UNKNOWN')));
      if (!restartable || attempt >= client.retries || client.signal?.aborted) throw err;
      await client.backoff(attempt);
      location = undefined;
    }
  }
  report('Pushed');
  return 'pushed';
}

async function uploadBlob(
  engine: Stores, client: RegistryClient, location: URL, d: Descriptor, scopes: string[], chunkSize: number, onSent: (n: number) => void,
): Promise<void> {
  const progress = progressThrottle(onSent);
  const read = (start: number, length: number, base: number): (() => Readable) => () => {
    const s = createReadStream(engine.content.path(d.digest), { start, end: start + length - 1, highWaterMark: 1 << 20 });
    let sent = base;
    s.on('data', (c: string | Buffer) => progress.update((sent += c.length)));
    return s;
  };
  if (d.size <= chunkSize) {
    await client.putBlob(location, d.digest, d.size, read(0, d.size, 0), scopes);
  } else {
    let offset = 0;
    let failures = 0;
    while (offset < d.size) {
      const length = Math.min(chunkSize, d.size - offset);
      try {
        location = await client.patchChunk(location, offset, length, read(offset, length, offset), scopes);
        offset += length;
        failures = 0;
      } catch (err) {
        // A chunk that broke half-way may have been partly taken: continue from where the registry is.
        const resumable = isTransient(err) || (err instanceof RegistryError && err.status === 416);
        if (!resumable || failures >= client.retries || client.signal?.aborted) throw err;
        if (isTransient(err)) await client.backoff(failures);
        failures++;
        offset = await uploadedSoFar(client, location, scopes);
      }
    }
    await client.finishUpload(location, d.digest, scopes);
  }
  progress.update(d.size);
  progress.flush();
}

/** `GET <upload location>` → `Range: 0-N`: how many bytes of an upload the registry holds. */
async function uploadedSoFar(client: RegistryClient, location: URL, scopes: string[]): Promise<number> {
  const res = await client.request({ method: 'GET', path: location, scopes, ok: [204] });
  res.body.resume();
  // distribution answers `0-0` for an empty upload too; a 1-byte partial chunk is not worth the ambiguity.
  const range = /^(?:bytes=)?0-(\d+)$/.exec(String(res.headers.range ?? ''));
  const end = range ? Number(range[1]) : 0;
  return end === 0 ? 0 : end + 1;
}
