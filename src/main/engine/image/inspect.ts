import type { Stores } from '../stores.ts';
import type { ContainerConfig, ImageConfig } from './oci.ts';

/** `docker image inspect`'s object (API ImageInspect), fields in docker's order. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  Container: string;
  ContainerConfig: Record<string, unknown>;
  DockerVersion: string;
  Author: string;
  Config: Record<string, unknown> | null;
  Architecture: string;
  Variant?: string;
  Os: string;
  OsVersion?: string;
  Size: number;
  /** API < 1.44 (docker 20.10 to 24): the same as Size. */
  VirtualSize?: number;
  GraphDriver: { Data: Record<string, string> | null; Name: string };
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
}

/**
 * moby's container.Config in its field order, with the zero value of each field Go always
 * marshals (undefined: omitempty, left out when the image has none).
 */
const CONFIG_FIELDS: [string, unknown][] = [
  ['Hostname', ''], ['Domainname', ''], ['User', ''], ['AttachStdin', false], ['AttachStdout', false], ['AttachStderr', false],
  ['ExposedPorts', undefined], ['Tty', false], ['OpenStdin', false], ['StdinOnce', false], ['Env', null], ['Cmd', null],
  ['Healthcheck', undefined], ['ArgsEscaped', undefined], ['Image', ''], ['Volumes', null], ['WorkingDir', ''], ['Entrypoint', null],
  ['NetworkDisabled', undefined], ['MacAddress', undefined], ['OnBuild', null], ['Labels', null], ['StopSignal', undefined],
  ['StopTimeout', undefined], ['Shell', undefined],
];

/**
 * moby's inspect Comment: the config's own comment (`commit -m`), else the last history entry's
 * (BuildKit's `buildkit.dockerfile.v0`).
 */
function imageComment(config: ImageConfig): string {
  if (typeof config.comment === 'string' && config.comment) return config.comment;
  const last = config.history?.at(-1)?.comment;
  return typeof last === 'string' ? last : '';
}

export function inspectImage(engine: Pick<Stores, 'db' | 'images'>, input: string): ImageInspect {
  const id = engine.images.resolve(input);
  const record = engine.images.get(id)!;
  const config = engine.images.readConfig(id);
  const lastTag = engine.db.prepare('SELECT max(created_at) AS t FROM tags WHERE image_id = ?').get(id) as { t: number | null };
  const out: ImageInspect = {
    Id: id,
    RepoTags: record.repoTags,
    RepoDigests: record.repoDigests,
    Parent: record.parentId,
    Comment: imageComment(config),
    Created: config.created ?? '0001-01-01T00:00:00Z',
    Container: typeof config.container === 'string' ? config.container : '',
    ContainerConfig: dockerConfig(config.container_config ?? {}),
    DockerVersion: config.docker_version ?? '',
    Author: config.author ?? '',
    Config: runtimeConfig(config),
    Architecture: config.architecture,
    ...(config.variant ? { Variant: config.variant } : {}),
    Os: config.os,
    ...(typeof config['os.version'] === 'string' ? { OsVersion: config['os.version'] } : {}),
    Size: record.size,
    VirtualSize: record.size,
    GraphDriver: { Data: null, Name: 'strata' },
    RootFS: { Type: config.rootfs?.type ?? 'layers', Layers: config.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: lastTag.t ? new Date(lastTag.t).toISOString() : '0001-01-01T00:00:00Z' },
  };
  return out;
}

function runtimeConfig(config: ImageConfig): Record<string, unknown> | null {
  return config.config ? dockerConfig(config.config) : null;
}

/** A config as moby marshals container.Config: every field in order, zero values filled in. */
function dockerConfig(c: ContainerConfig | Record<string, unknown>): Record<string, unknown> {
  const given = c as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, zero] of CONFIG_FIELDS) {
    const v = given[k];
    if (v !== undefined && v !== null) out[k] = v;
    else if (zero !== undefined) out[k] = zero;
  }
  for (const [k, v] of Object.entries(given)) if (!(k in out) && v !== undefined) out[k] = v;
  return out;
}
