import { createReadStream, statSync } from 'node:fs';
import type { Stores } from '../stores.ts';
import { ingestLayer } from '../layer/layer-ingest.ts';
import { writeImage } from '../image/image-writer.ts';
import type { ImageRecord } from '../image/image-service.ts';
import { hostPlatform, type ImageConfig, type Platform } from '../image/oci.ts';
import { InvalidReferenceError, parseReference } from '../image/reference.ts';
import { imageEvent } from '../events/event-log.ts';
import { applyConfigChanges } from '../image/config-changes.ts';
import { directoryTar } from './dir-tar.ts';
import { StrataError, errorCode } from '../../../shared/errors.ts';

export type ImportSource = { path: string } | { stream: AsyncIterable<Uint8Array> };

export interface ImportOptions {
  /** `REPOSITORY[:TAG]` to name the image. */
  reference?: string;
  /** `--change` lines (Dockerfile instructions). */
  changes?: string[];
  /** `--message`; docker's default is "Imported from -". */
  message?: string;
  /** `--platform os/arch[/variant]`; the host's by default. */
  platform?: string;
}

/**
 * `docker import`: one layer from a rootfs tarball (uncompressed, gzip or zstd, kept as received)
 * or a directory, with a config and one history entry as moby's ImportImage writes them. Local
 * input is named `-` in the default message, as the docker CLI streams local files as stdin.
 */
export async function importImage(engine: Stores, source: ImportSource, options: ImportOptions = {}): Promise<ImageRecord> {
  const tags: string[] = [];
  if (options.reference) {
    const ref = parseReference(options.reference);
    if (ref.digest) throw new InvalidReferenceError();
    tags.push(options.reference);
  }
  // moby imports onto an empty config with the same BuildFromConfig as commit.
  const runtime = applyConfigChanges({}, options.changes ?? []);
  const message = options.message || 'Imported from -';
  const platform = options.platform ? parsePlatform(options.platform) : hostPlatform();
  const stream = openImportSource(source);
  return engine.gc.withLease(async () => {
    const layer = await ingestLayer(engine.content, stream);
    const created = new Date().toISOString();
    const config: ImageConfig = {
      architecture: platform.architecture,
      ...(platform.variant ? { variant: platform.variant } : {}),
      comment: message,
      config: runtime,
      created,
      history: [{ created, comment: message }],
      os: platform.os,
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    };
    return writeImage(engine.content, engine.images, {
      config,
      layers: [{ blobDigest: layer.blob.digest, blobSize: layer.blob.size, compression: layer.compression, diffId: layer.diffId, size: layer.size, diffSize: layer.diffSize, files: layer.files }],
      tags,
      events: (id) => [imageEvent('import', id, id, runtime.Labels ?? {})],
    });
  });
}

/** `linux/arm64/v8` → { os, architecture, variant }. */
export function parsePlatform(spec: string): Platform {
  const [os, architecture, variant, extra] = spec.toLowerCase().split('/');
  if (!os || !architecture || extra !== undefined) {
    throw new StrataError('invalid', `"${spec}": unknown operating system or architecture: invalid argument`);
  }
  return { os, architecture, ...(variant ? { variant } : {}) };
}

function openImportSource(source: ImportSource): AsyncIterable<Uint8Array> {
  if ('stream' in source) return source.stream;
  let isDir: boolean;
  try {
    isDir = statSync(source.path).isDirectory();
  } catch (err) {
    throw new StrataError(errorCode(err), `open ${source.path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`, { cause: err });
  }
  return isDir ? directoryTar(source.path) : createReadStream(source.path, { highWaterMark: 1 << 20 });
}
