/**
 * What the engine says about itself (`/version`, `/info`), apart from the HTTP routes so that the
 * CLI's `version` and `info` print the same data without loading the API server.
 */
import { arch, cpus, hostname, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Engine } from '../engine/engine.ts';
import { idMapping } from '../engine/snapshot/idmap.ts';
import { API_VERSION_TEXT, MIN_API_VERSION_TEXT } from './router.ts';

export const STRATA_VERSION = '0.1.0';

/** Go's GOARCH for Node's arch. */
export function goArch(a: string = arch()): string {
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}

/**
 * The engine's `/version` (moby's types.Version): Strata's own version and API versions; GoVersion
 * names the Node that runs it, there is no Go.
 */
export function engineVersion(): Record<string, unknown> {
  const details = { ApiVersion: API_VERSION_TEXT, Arch: goArch(), BuildTime: '', Experimental: 'false', GitCommit: '', GoVersion: `node${process.versions.node}`, KernelVersion: release(), MinAPIVersion: MIN_API_VERSION_TEXT, Os: 'linux' };
  return {
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
  };
}

/** The host's distribution as /etc/os-release names it (what docker's OperatingSystem is). */
function operatingSystem(): { name: string; version: string } {
  try {
    const text = readFileSync('/etc/os-release', 'utf8').slice(0, 64 * 1024);
    const field = (k: string): string => /^(\w+)=("?)(.*)\2$/m.exec(text.split('\n').find((l) => l.startsWith(`${k}=`)) ?? '')?.[3] ?? '';
    return { name: field('PRETTY_NAME') || 'Linux', version: field('VERSION_ID') };
  } catch {
    return { name: 'Linux', version: '' };
  }
}

/** The engine's `/info` (moby's types.Info) for the Strata store at `engine.root`. */
export function engineInfo(engine: Pick<Engine, 'containers' | 'db' | 'root'>): Record<string, unknown> {
  const containers = engine.containers.list({ all: true });
  const running = containers.filter((c) => c.state === 'running').length;
  const images = (engine.db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
  const rootless = process.getuid?.() !== 0;
  const os = operatingSystem();
  return {
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
    KernelMemory: false,
    KernelMemoryTCP: false,
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
    OperatingSystem: os.name,
    OSVersion: os.version,
    OSType: 'linux',
    Architecture: arch() === 'x64' ? 'x86_64' : arch(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { AllowNondistributableArtifactsCIDRs: null, AllowNondistributableArtifactsHostnames: null, InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: {}, Mirrors: null },
    NCPU: cpus().length,
    MemTotal: totalmem(),
    GenericResources: null,
    DockerRootDir: engine.root,
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
  };
}
