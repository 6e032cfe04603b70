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
  DockerVersion: string;
  Author: string;
  Config: Record<string, unknown> | null;
  Architecture: string;
  Variant?: string;
  Os: string;
  OsVersion?: string;
  Size: number;
  GraphDriver: { Data: Record<string, string> | null; Name: string };
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
}

/** The runtime config keys in the order docker prints them. */
const CONFIG_ORDER: (keyof ContainerConfig)[] = [
  'User', 'ExposedPorts', 'Env', 'Cmd', 'Healthcheck', 'ArgsEscaped', 'Volumes', 'WorkingDir', 'Entrypoint', 'OnBuild', 'Labels', 'StopSignal', 'Shell',
];

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
    Comment: typeof config.comment === 'string' ? config.comment : '',
    Created: config.created ?? '0001-01-01T00:00:00Z',
    DockerVersion: config.docker_version ?? '',
    Author: config.author ?? '',
    Config: runtimeConfig(config),
    Architecture: config.architecture,
    ...(config.variant ? { Variant: config.variant } : {}),
    Os: config.os,
    ...(typeof config['os.version'] === 'string' ? { OsVersion: config['os.version'] } : {}),
    Size: record.size,
    GraphDriver: { Data: null, Name: 'strata' },
    RootFS: { Type: config.rootfs?.type ?? 'layers', Layers: config.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: lastTag.t ? new Date(lastTag.t).toISOString() : '0001-01-01T00:00:00Z' },
  };
  return out;
}

function runtimeConfig(config: ImageConfig): Record<string, unknown> | null {
  const c = config.config;
  if (!c) return null;
  const out: Record<string, unknown> = {};
  for (const k of CONFIG_ORDER) if (c[k] !== undefined) out[k] = c[k];
  for (const [k, v] of Object.entries(c)) if (!(k in out) && v !== undefined) out[k] = v;
  return out;
}
