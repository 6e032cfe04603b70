/**
 * Presentation of containers, beside image-format.ts: `ps` rows by docker's template field names and
 * `container inspect` as docker's ContainerJSON, for the fields Strata has.
 */
import type { Engine } from '../engine/engine.ts';
import { containerArgs, listedCommand, type ContainerSettings } from '../engine/container/config.ts';
import { statusText, type ContainerRecord } from '../engine/container/container-service.ts';
import { sortedKeys } from './formatter.ts';
import { goQuote } from '../engine/build/shell/goquote.ts';
import { displayablePorts, portSummaries } from '../engine/network/ports.ts';
import { createdSince, displayImage, ellipsis, goTimeString, humanSize } from './units.ts';

/** One row of `ps`, keyed by docker's template field names. */
/**
 * `ps -s`'s SIZE as docker/cli writes it: the writable layer, and beside it the whole root
 * filesystem (the container's layers plus its own), "12B (virtual 1.98MB)".
 */
function containerSize(engine: Engine, id: string): string {
  const rw = engine.containers.sizeRw(id);
  const rootFs = rw + engine.containers.layersSize(id);
  return rootFs > 0 ? `${humanSize(rw, 3)} (virtual ${humanSize(rootFs, 3)})` : humanSize(rw, 3);
}

export function psRow(engine: Engine, c: ContainerRecord, now: number, trunc: boolean, withSize = false): Record<string, unknown> {
  const command = listedCommand(c.config);
  const image = displayImage(engine.containers.listedImage(c), c.imageId, trunc);
  const labels = Object.entries(c.config.Labels ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',');
  return sortedKeys({
    Command: goQuote(trunc ? ellipsis(command, 20) : command),
    CreatedAt: goTimeString(Math.floor(c.created / 1000)),
    ID: trunc ? c.id.slice(0, 12) : c.id,
    Image: image,
    Labels: labels,
    LocalVolumes: '0',
    Mounts: '',
    Names: c.name,
    Networks: c.config.Network,
    Ports: displayablePorts(portSummaries(engine.containers.ports(c))),
    RunningFor: createdSince(Math.floor(c.created / 1000), now),
    Size: withSize ? containerSize(engine, c.id) : '0B',
    State: c.state,
    Status: statusText(c, now),
  });
}

export const PS_HEADER = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', RunningFor: 'CREATED', Status: 'STATUS', Ports: 'PORTS', Names: 'NAMES',
  CreatedAt: 'CREATED AT', Labels: 'LABELS', LocalVolumes: 'LOCAL VOLUMES', Mounts: 'MOUNTS', Networks: 'NETWORKS', Size: 'SIZE', State: 'STATE',
};

const ZERO_TIME = '0001-01-01T00:00:00Z';

function isoOrZero(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString() : ZERO_TIME;
}

/** docker's ContainerJSON, for the fields Strata has. */
export function inspectContainer(engine: Engine, ref: string): Record<string, unknown> {
  const c = engine.containers.get(ref);
  const args = containerArgs(c.config);
  const cfg = c.config;
  return {
    Id: c.id,
    Created: new Date(c.created).toISOString(),
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: {
      Status: c.state, Running: c.state === 'running', Paused: false, Restarting: false, OOMKilled: false, Dead: false,
      Pid: c.state === 'running' ? c.sandboxPid : 0, ExitCode: c.exitCode, Error: '',
      StartedAt: isoOrZero(c.startedAt), FinishedAt: isoOrZero(c.finishedAt),
    },
    Image: c.imageId,
    // Files docker's daemon writes for each container (Strata's sandbox makes none of its own).
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: `${engine.containers.dirOf(c.id)}/container.log`,
    Name: `/${c.name}`,
    RestartCount: 0,
    Driver: 'overlay',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfig(cfg),
    GraphDriver: { Data: { UpperDir: engine.containers.upperDir(c.id), WorkDir: `${engine.containers.dirOf(c.id)}/work` }, Name: 'overlay' },
    Mounts: [],
    Config: {
      Hostname: cfg.Hostname, Domainname: '', User: cfg.User ?? '', AttachStdin: cfg.OpenStdin, AttachStdout: true, AttachStderr: true,
      ...(cfg.ExposedPorts ? { ExposedPorts: cfg.ExposedPorts } : {}),
      Tty: cfg.Tty, OpenStdin: cfg.OpenStdin, StdinOnce: false, Env: cfg.Env ?? [], Cmd: cfg.Cmd ?? null, Image: cfg.Image,
      Volumes: cfg.Volumes ?? null, WorkingDir: cfg.WorkingDir ?? '', Entrypoint: cfg.Entrypoint ?? null, OnBuild: cfg.OnBuild ?? null,
      Labels: cfg.Labels ?? {}, ...(cfg.StopSignal ? { StopSignal: cfg.StopSignal } : {}),
    },
    NetworkSettings: {
      Bridge: '', SandboxID: '', HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, Ports: engine.containers.ports(c),
      SandboxKey: '', SecondaryIPAddresses: null, SecondaryIPv6Addresses: null, ...NO_ENDPOINT,
      Networks: {
        [cfg.Network]: {
          IPAMConfig: null, Links: null, Aliases: null, NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '',
          GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, MacAddress: '', DriverOpts: null,
        },
      },
    },
  };
}

/** An endpoint's addresses as docker shows them where there is no bridge network: empty. */
const NO_ENDPOINT = { EndpointID: '', Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', MacAddress: '' };

/**
 * docker's HostConfig in its field order: what Strata sets (auto-remove, network, ports), its
 * json-file log, and Go's zero value for every limit and option Strata has no counterpart of.
 */
function hostConfig(cfg: ContainerSettings): Record<string, unknown> {
  return {
    Binds: null, ContainerIDFile: '', LogConfig: { Type: 'json-file', Config: {} }, NetworkMode: cfg.Network, PortBindings: cfg.PortBindings ?? {},
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: cfg.AutoRemove, VolumeDriver: '', VolumesFrom: null, CapAdd: null, CapDrop: null,
    CgroupnsMode: '', Dns: [], DnsOptions: [], DnsSearch: [], ExtraHosts: null, GroupAdd: null, IpcMode: '', Cgroup: '', Links: null, OomScoreAdj: 0,
    PidMode: '', Privileged: false, PublishAllPorts: cfg.PublishAllPorts ?? false, ReadonlyRootfs: false, SecurityOpt: null, UTSMode: '', UsernsMode: '',
    ShmSize: 0, Runtime: 'strata', ConsoleSize: [0, 0], Isolation: '', CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '', BlkioWeight: 0,
    BlkioWeightDevice: [], BlkioDeviceReadBps: null, BlkioDeviceWriteBps: null, BlkioDeviceReadIOps: null, BlkioDeviceWriteIOps: null, CpuPeriod: 0,
    CpuQuota: 0, CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, CpusetCpus: '', CpusetMems: '', Devices: [], DeviceCgroupRules: null, DeviceRequests: null,
    KernelMemory: 0, KernelMemoryTCP: 0, MemoryReservation: 0, MemorySwap: 0, MemorySwappiness: null, OomKillDisable: false, PidsLimit: null,
    Ulimits: null, CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0, MaskedPaths: null, ReadonlyPaths: null,
  };
}
