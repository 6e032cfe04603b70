/**
 * The Docker Engine API's JSON shapes (API v1.41), the neutral vocabulary between providers: an
 * Engine API provider gets them from the engine as they are, the Strata provider produces them from
 * its store, and the CLI's docker output is a function of them. Only the fields Strata reads are
 * typed; everything else an engine sends is kept as it came (inspect prints it unchanged).
 *
 * This file is the bottom layer: plain types, no Node or DOM imports.
 */

export type Filters = Record<string, string[]>;

export interface DockerImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: number;
  Size: number;
  VirtualSize?: number;
  SharedSize: number;
  Labels: Record<string, string> | null;
  Containers: number;
}

export interface DockerHistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export interface DockerImageDeleteItem {
  Untagged?: string;
  Deleted?: string;
}

export interface DockerImagesPruneResponse {
  ImagesDeleted: DockerImageDeleteItem[] | null;
  SpaceReclaimed: number;
}

export interface DockerPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

export interface DockerContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  Ports: DockerPort[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Record<string, string> | null;
  State: string;
  Status: string;
  Mounts?: { Name?: string; Source?: string; Destination?: string }[];
}

export interface DockerVolume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  Labels: Record<string, string> | null;
  Scope: string;
  UsageData?: { Size: number; RefCount: number } | null;
}

export interface DockerBuildCache {
  ID: string;
  Type: string;
  Description: string;
  InUse: boolean;
  Shared: boolean;
  Size: number;
  CreatedAt: string;
  LastUsedAt: string | null;
  UsageCount: number;
}

export interface DockerSystemDf {
  LayersSize: number;
  Images: DockerImageSummary[] | null;
  Containers: DockerContainerSummary[] | null;
  Volumes: DockerVolume[] | null;
  BuildCache: DockerBuildCache[] | null;
  BuilderSize?: number;
}

/** One line of a JSON progress stream (/images/load, /images/create, /build). */
export interface DockerJsonMessage {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  /** Present (even empty) on per-layer progress; docker hides the ones with a count off a terminal. */
  progressDetail?: { current?: number; total?: number; hidecounts?: boolean; units?: string };
  from?: string;
  time?: number;
  timeNano?: number;
  error?: string;
  /** `code`: a build's failed RUN gives its exit status (docker exits with it). */
  errorDetail?: { code?: number; message: string };
  aux?: unknown;
}

export interface DockerChange {
  Path: string;
  /** 0 modified, 1 added, 2 deleted */
  Kind: 0 | 1 | 2;
}

export interface DockerEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope?: string;
  time: number;
  timeNano: number;
}
