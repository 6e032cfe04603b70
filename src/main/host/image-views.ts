/**
 * Read models the UI needs over the image records: list rows with shared sizes and container
 * counts, and a docker-style inspect object. Layer views (sharing, trees, wasted bytes) are the
 * engine's (image/layers.ts), shared with the CLI.
 */
import type { Engine } from '../engine/engine.ts';
import { listImages as engineListImages } from '../engine/image/list.ts';
import type { ImageSummary } from '../engine/api.ts';
import type { ImageDetail } from '../../shared/contract.ts';
import { StrataError } from '../../shared/errors.ts';

/** `images` rows as the engine lists them (intermediate images hidden), with SHARED SIZE and CONTAINERS. */
export function listImages(engine: Engine): ImageSummary[] {
  return engineListImages(engine, { sharedSize: true }).map(({ contentSize: _contentSize, ...img }) => ({
    ...img,
    containers: engine.images.usersOf(img.id).length,
  }));
}

function isoTime(created: string | undefined): string {
  return created ?? '0001-01-01T00:00:00Z';
}

/** Config fields the UI reads directly, and the whole thing shaped like `docker image inspect`. */
export function imageDetail(engine: Engine, imageId: string): ImageDetail {
  const rec = engine.images.get(imageId);
  if (!rec) throw new StrataError('not-found', `No such image: ${imageId}`);
  const config = engine.images.readConfig(imageId);
  const layers = engine.images.layers(imageId);
  const cc = config.config ?? {};
  const inspect = {
    Id: rec.id,
    RepoTags: rec.repoTags,
    RepoDigests: rec.repoDigests,
    Parent: rec.parentId,
    Comment: config.history?.at(-1)?.comment ?? '',
    Created: isoTime(config.created),
    Author: config.author ?? '',
    Config: cc,
    Architecture: config.architecture,
    Os: config.os,
    Size: rec.size,
    RootFS: { Type: 'layers', Layers: layers.map((l) => l.diffId) },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
  return {
    id: rec.id,
    repoTags: rec.repoTags,
    repoDigests: rec.repoDigests,
    created: rec.created,
    size: rec.size,
    env: cc.Env ?? [],
    cmd: cc.Cmd ?? [],
    entrypoint: cc.Entrypoint ?? [],
    workingDir: cc.WorkingDir ?? '',
    inspect,
  };
}
