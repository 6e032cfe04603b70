import type { BlobRef, ContentStore } from '../store/content-store.ts';
import type { NewEvent } from '../events/event-log.ts';
import type { ImageService, ImageRecord, LayerInput } from './image-service.ts';
import { MediaType, layerMediaType, type ImageConfig, type Manifest } from './oci.ts';
import { digestOf } from '../store/digest.ts';

export interface WriteImageInput {
  /** The full config; `rootfs.diff_ids` is set from `layers`. */
  config: ImageConfig;
  layers: LayerInput[];
  tags?: string[];
  parentId?: string;
  /** What the caller announces with the new image (its ID known only here): `import`, a container's `commit`. */
  events?: (imageId: string) => NewEvent[];
}

/**
 * The one path by which new images enter the store (import, build, commit): serialise the
 * config, write an OCI manifest over the layer blobs, and record the image. Loaded and pulled
 * images keep their original manifest and config bytes and go straight to `ImageService.commit`.
 */
export async function writeImage(content: ContentStore, images: ImageService, input: WriteImageInput): Promise<ImageRecord> {
  const config: ImageConfig = { ...input.config, rootfs: { type: 'layers', diff_ids: input.layers.map((l) => l.diffId) } };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configRef = { digest: digestOf(configBytes), size: configBytes.length };
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: configRef.digest, size: configRef.size },
    layers: input.layers.map((l) => ({
      // A layer recorded without a media type (a build's cached layer) gets the one its form has.
      mediaType: l.mediaType || layerMediaType(l.compression, 'oci'),
      digest: l.blobDigest,
      size: l.blobSize,
    })),
  };
  // The manifest names the config by its digest, known before the config is stored: both blobs
  // are written (and fsynced) at once, with one fsync of the directory for both renames, and
  // both are in place before the image is recorded.
  const [configBlob, manifestBlob] = await content.putAll([{ data: configBytes, digest: configRef.digest }, { data: JSON.stringify(manifest) }]) as [BlobRef, BlobRef];
  return images.commit({
    configDigest: configBlob.digest,
    configSize: configBlob.size,
    manifestDigest: manifestBlob.digest,
    manifestSize: manifestBlob.size,
    manifestMediaType: MediaType.OciManifest,
    layers: input.layers.map((l) => ({ ...l, mediaType: l.mediaType || layerMediaType(l.compression, 'oci') })),
    ...(input.tags ? { tags: input.tags } : {}),
    ...(input.parentId ? { parentId: input.parentId } : {}),
    // Import, build and commit name images through docker's TagImage, which announces each tag.
    tagEvents: true,
    ...(input.events ? { events: input.events(configBlob.digest) } : {}),
  });
}
