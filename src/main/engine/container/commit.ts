import type { Engine } from '../engine.ts';
import type { ImageRecord, LayerInput } from '../image/image-service.ts';
import type { ContainerConfig, HistoryItem, ImageConfig } from '../image/oci.ts';
import { familiarString, parseReference } from '../image/reference.ts';
import { writeImage } from '../image/image-writer.ts';
import { layerFromUpper } from '../snapshot/changes.ts';
import type { ContainerSettings } from './config.ts';
import { applyConfigChanges } from '../image/config-changes.ts';

export interface CommitOptions {
  /** REPO[:TAG] for the new image. */
  reference?: string;
  message?: string;
  author?: string;
  /** `--change` Dockerfile instructions. */
  changes?: string[];
  /** Freeze a running container while its layer is taken (docker's default). */
  pause?: boolean;
}

/** What a commit uses: the container, its image, the content store, the collector's lease. */
export type CommitDeps = Pick<Engine, 'containers' | 'images' | 'content' | 'gc'>;

const IMAGE_CONFIG_KEYS: (keyof ContainerConfig)[] = [
  'User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'Healthcheck', 'OnBuild', 'Shell', 'ArgsEscaped',
];

/** The image-facing part of a container's config (runtime-only settings dropped). */
export function imageConfigOf(settings: ContainerSettings): ContainerConfig {
  const out: ContainerConfig = {};
  for (const k of IMAGE_CONFIG_KEYS) {
    const v = settings[k];
    if (v !== undefined) (out as Record<string, unknown>)[k] = structuredClone(v);
  }
  return out;
}

/**
 * `commit`: the container's writable layer becomes one new layer on top of its image's layers
 * (which are shared, never copied); the config is the container's with `--change` applied; the
 * history gains one entry with the container's command, the message and the author.
 */
export async function commitContainer(engine: CommitDeps, ref: string, options: CommitOptions = {}): Promise<ImageRecord> {
  const rec = engine.containers.get(ref);
  const parent = engine.images.readConfig(rec.imageId);
  const config = applyConfigChanges(imageConfigOf(rec.config), options.changes ?? []);
  const frozen = rec.state === 'running' && options.pause !== false && rec.sandboxPid > 0;
  if (frozen) signalGroup(rec.sandboxPid, 'SIGSTOP');
  try {
    const lowerDirs = await engine.containers.lowerDirs(rec.id);
    return await engine.gc.withLease(async () => {
      const layer = await layerFromUpper(engine, lowerDirs, engine.containers.upperDir(rec.id));
      const created = new Date().toISOString();
      const entry: HistoryItem = { created, created_by: (rec.config.Cmd ?? []).join(' ') };
      if (options.author) entry.author = options.author;
      if (options.message) entry.comment = options.message;
      const imageConfig: ImageConfig = {
        architecture: parent.architecture,
        os: parent.os,
        ...(parent.variant ? { variant: parent.variant } : {}),
        created,
        ...(options.author ? { author: options.author } : {}),
        ...(options.message ? { comment: options.message } : {}),
        container: rec.id,
        config,
        rootfs: { type: 'layers', diff_ids: [] },
        history: [...(parent.history ?? []), entry],
      };
      // The container's own layer stack and its image's config (both kept after `rmi -f` deleted
      // the image; docker 20.10's commit fails then, reading the config it deleted).
      const parentLayers: LayerInput[] = engine.containers.layersOf(rec.id).map((l) => ({
        blobDigest: l.blobDigest, blobSize: l.blobSize, compression: l.compression, diffId: l.diffId, size: l.size, diffSize: l.diffSize,
      }));
      const newLayer: LayerInput = {
        blobDigest: layer.blob.digest, blobSize: layer.blob.size, compression: layer.compression, diffId: layer.diffId, size: layer.size, diffSize: layer.diffSize, files: layer.files,
      };
      return writeImage(engine.content, engine.images, {
        config: imageConfig,
        layers: [...parentLayers, newLayer],
        ...(engine.images.get(rec.imageId) ? { parentId: rec.imageId } : {}),
        ...(options.reference ? { tags: [options.reference] } : {}),
        events: (id) => [engine.containers.event('commit', rec, {
          comment: options.message ?? '', imageID: id, imageRef: options.reference ? familiarString(parseReference(options.reference)) : '',
        })],
      });
    });
  } finally {
    if (frozen) signalGroup(rec.sandboxPid, 'SIGCONT');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* exited meanwhile */
  }
}
