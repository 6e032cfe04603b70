/**
 * The Engine API's system endpoints: `/_ping`, `/version`, `/info`, `/system/df`. Strata answers
 * as a Docker-compatible engine; it never answers podman's `/libpod/…` paths.
 */
import { arch, cpus, hostname, release, totalmem } from 'node:os';
import type { ServerResponse } from 'node:http';
import { diskUsage } from '../engine/usage/disk-usage.ts';
import { listImages } from '../engine/image/list.ts';
import { sendJson } from './http.ts';
import { API_VERSION_TEXT, MIN_API_VERSION_TEXT, type Route, type RouteContext } from './router.ts';
import { imageSummary } from './images.ts';
import { containerSummary } from './containers.ts';
import { idMapping } from '../engine/snapshot/idmap.ts';

export const STRATA_VERSION = '0.1.0';

/** Go's GOARCH for Node's arch. */
export function goArch(a: string = arch()): string {
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}

/** Headers every answer carries, as dockerd sends them. */
export function serverHeaders(res: ServerResponse): void {
  res.setHeader('Server', `Strata/${STRATA_VERSION} (linux)`);
  res.setHeader('Api-Version', API_VERSION_TEXT);
  res.setHeader('Docker-Experimental', 'false');
  res.setHeader('Ostype', 'linux');
}

function ping(ctx: RouteContext): void {
  const { res } = ctx;
  res.setHeader('Builder-Version', '1');
  res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
  res.setHeader('Pragma', 'no-cache');
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 });
  res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
}

function version(ctx: RouteContext): void {
  const details = { ApiVersion: API_VERSION_TEXT, Arch: goArch(), BuildTime: '', Experimental: 'false', GitCommit: '', GoVersion: '', KernelVersion: release(), MinAPIVersion: MIN_API_VERSION_TEXT, Os: 'linux' };
  sendJson(ctx.res, 200, {
    Platform: { Name: 'Strata' },
    Components: [{ Name: 'Engine', Version: STRATA_VERSION, Details: details }],
    Version: STRATA_VERSION,
    ApiVersion: API_VERSION_TEXT,
    MinAPIVersion: MIN_API_VERSION_TEXT,
    GitCommit: '',
    GoVersion: `node${process.versions.node}`,
    Os: 'linux',
    Arch: goArch(),
    KernelVersion: release(),
    BuildTime: '',
  });
}

function info(ctx: RouteContext): void {
  const containers = ctx.engine.containers.list({ all: true });
  const running = containers.filter((c) => c.state === 'running').length;
  const images = (ctx.engine.db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
  const rootless = process.getuid?.() !== 0;
  sendJson(ctx.res, 200, {
    ID: '',
    Containers: containers.length,
    ContainersRunning: running,
    ContainersPaused: 0,
    ContainersStopped: containers.length - running,
    Images: images,
    Driver: 'overlay',
    DriverStatus: [['Backing Filesystem', 'strata snapshots']],
    Plugins: { Volume: [], Network: ['host', 'none'], Authorization: null, Log: ['json-file'] },
    MemoryLimit: false,
    SwapLimit: false,
    CpuCfsPeriod: false,
    CpuCfsQuota: false,
    CPUShares: false,
    CPUSet: false,
    PidsLimit: false,
    IPv4Forwarding: false,
    BridgeNfIptables: false,
    BridgeNfIp6tables: false,
    Debug: false,
    NFd: 0,
    OomKillDisable: false,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'none',
    CgroupVersion: '2',
    NEventsListener: 0,
    KernelVersion: release(),
    OperatingSystem: 'Strata',
    OSVersion: '',
    OSType: 'linux',
    Architecture: arch() === 'x64' ? 'x86_64' : arch(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { AllowNondistributableArtifactsCIDRs: null, AllowNondistributableArtifactsHostnames: null, InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: {}, Mirrors: null },
    NCPU: cpus().length,
    MemTotal: totalmem(),
    GenericResources: null,
    DockerRootDir: ctx.engine.root,
    HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? '',
    HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? '',
    NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? '',
    Name: hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: STRATA_VERSION,
    Runtimes: { strata: { path: 'bwrap' } },
    DefaultRuntime: 'strata',
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: '',
    ContainerdCommit: { ID: '', Expected: '' },
    RuncCommit: { ID: '', Expected: '' },
    InitCommit: { ID: '', Expected: '' },
    SecurityOptions: ['name=seccomp,profile=builtin', ...(rootless ? ['name=rootless'] : [])],
    Warnings: idMapping().limited ? [`WARNING: ${idMapping().limited}`] : null,
  });
}

function systemDf(ctx: RouteContext): void {
  const { engine, version } = ctx;
  const du = diskUsage(engine);
  const counts = new Map(du.images.map((i) => [i.id, i.containers]));
  const images = listImages(engine, { sharedSize: true }).map((img) => imageSummary({ ...img, containers: counts.get(img.id) ?? 0 }, version, true));
  const now = Date.now();
  const containers = engine.containers.list({ all: true }).map((c) => containerSummary(engine, c, now, true));
  const goDate = (seconds: number): string => new Date(seconds * 1000).toISOString();
  const buildCache = du.buildCache.map((b) => ({
    ID: b.id,
    ...(version < 1.42 ? { Parent: '' } : { Parents: null }),
    Type: b.type,
    Description: b.description,
    InUse: b.inUse,
    Shared: b.shared,
    Size: b.size,
    CreatedAt: goDate(b.createdAt),
    LastUsedAt: b.lastUsedAt ? goDate(b.lastUsedAt) : null,
    UsageCount: b.usageCount,
  }));
  sendJson(ctx.res, 200, { LayersSize: du.layersSize, Images: images, Containers: containers, Volumes: [], BuildCache: buildCache });
}

export const systemRoutes: Route[] = [
  ['GET', /^\/_ping$/, ping],
  ['GET', /^\/version$/, version],
  ['GET', /^\/info$/, info],
  ['GET', /^\/system\/df$/, systemDf],
];
