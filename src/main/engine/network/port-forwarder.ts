/**
 * Publishing a container's ports through a rootless user-mode network, as podman does: Debian's
 * `passt` (pasta) attaches to the container's network namespace, gives it an interface with a
 * route out, and forwards the host ports given; `slirp4netns` with its port-forward API is the
 * fallback. The helper is a child of the process that runs the container and is stopped with it
 * (and killed by the kernel if that process dies: parent-death signal, or slirp4netns' exit fd).
 * The container's namespace never sees the host's loopback (pasta `--no-map-gw -T none -U none`,
 * slirp4netns `--disable-host-loopback`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot } from '../snapshot/whiteout.ts';
import { which } from '../runtime/which.ts';
import { StrataError } from '../../../shared/errors.ts';
import { comparePortKeys, joinHostPort, splitPortKey, type PortBinding, type PortMap } from './ports.ts';

export type PortDriver = 'pasta' | 'slirp4netns';

/** One host port forwarded to the container; `hostIp` '' is every address. */
export interface Forward {
  key: string;
  proto: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

export interface PortForwarder {
  readonly driver: PortDriver;
  readonly pid: number;
  /** NetworkSettings.Ports' bindings, as bound: every address is `0.0.0.0` (and `::` where IPv6 is bound too). */
  readonly ports: PortMap;
  /** Ends the helper; resolves once it exited. */
  stop(): Promise<void>;
}

const INSTALL_HINT = 'publishing ports needs a user-mode network helper: install passt (pasta) or slirp4netns';

/** The helpers installed here, in the order they are tried; STRATA_PORT_DRIVER picks one. */
export function portDrivers(): PortDriver[] {
  const forced = process.env.STRATA_PORT_DRIVER;
  const all: PortDriver[] = forced === 'pasta' || forced === 'slirp4netns' ? [forced] : ['pasta', 'slirp4netns'];
  return all.filter((d) => which(d) !== undefined);
}

/** Why ports cannot be published here, or undefined. */
export function portDriverUnavailable(): string | undefined {
  return portDrivers().length > 0 ? undefined : INSTALL_HINT;
}

/** The container, as docker names it in port errors. */
export interface Endpoint {
  name: string;
  id: string;
}

function bindError(endpoint: Endpoint, f: Pick<Forward, 'hostIp' | 'hostPort'>, reason = 'port is already allocated'): StrataError {
  const addr = joinHostPort(f.hostIp || '0.0.0.0', f.hostPort);
  return new StrataError('conflict', `driver failed programming external connectivity on endpoint ${endpoint.name} (${endpoint.id}): Bind for ${addr} failed: ${reason}`, {
    details: { hostIp: f.hostIp || '0.0.0.0', hostPort: f.hostPort },
  });
}

/** Tries to bind the host address and port the helper will bind; the error code when it cannot. */
async function probe(proto: 'tcp' | 'udp', hostIp: string, port: number): Promise<{ port: number } | { code: string }> {
  const host = hostIp || '0.0.0.0';
  return new Promise((resolve) => {
    if (proto === 'udp') {
      const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      s.once('error', (err: NodeJS.ErrnoException) => {
        s.close();
        resolve({ code: err.code ?? 'EADDRINUSE' });
      });
      s.bind(port, host, () => {
        const bound = s.address().port;
        s.close(() => resolve({ port: bound }));
      });
      return;
    }
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve({ code: err.code ?? 'EADDRINUSE' }));
    srv.listen({ port, host, exclusive: true }, () => {
      const addr = srv.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      srv.close(() => resolve({ port: bound }));
    });
  });
}

function probeFailure(endpoint: Endpoint, f: Pick<Forward, 'hostIp' | 'hostPort'>, code: string): StrataError {
  if (code === 'EACCES') {
    return bindError(endpoint, f, `permission denied: ports below 1024 need root (or net.ipv4.ip_unprivileged_port_start=${f.hostPort} in /etc/sysctl.conf), or choose a larger port number`);
  }
  if (code === 'EADDRNOTAVAIL') return bindError(endpoint, f, 'cannot assign requested address');
  return bindError(endpoint, f);
}

function overlaps(a: Pick<Forward, 'proto' | 'hostIp' | 'hostPort'>, b: Pick<Forward, 'proto' | 'hostIp' | 'hostPort'>): boolean {
  const any = (ip: string): boolean => ip === '' || ip === '0.0.0.0' || ip === '::';
  return a.proto === b.proto && a.hostPort === b.hostPort && (any(a.hostIp) || any(b.hostIp) || a.hostIp === b.hostIp);
}

/**
 * The host ports a container will get, chosen before it starts: a given port must be free (not
 * published by another running container, and bindable), '' takes a free port, `8000-8010` the
 * first free one of the range. Errors use docker's wording.
 */
export async function allocatePorts(endpoint: Endpoint, requested: Record<string, PortBinding[]>, taken: readonly Forward[]): Promise<Forward[]> {
  const out: Forward[] = [];
  for (const key of Object.keys(requested).sort(comparePortKeys)) {
    const { port, proto } = splitPortKey(key);
    if (proto !== 'tcp' && proto !== 'udp') throw new StrataError('unsupported', `publishing ${proto} ports is not supported by the user-mode network (tcp and udp are)`);
    for (const b of requested[key]!) {
      const hostIp = b.HostIp === '0.0.0.0' ? '' : b.HostIp;
      const range = /^(\d+)-(\d+)$/.exec(b.HostPort);
      const candidates = b.HostPort === '' ? [0] : range ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i) : [Number(b.HostPort)];
      let chosen: Forward | undefined;
      let failure: StrataError | undefined;
      for (const candidate of candidates) {
        const f = { key, proto, hostIp, hostPort: candidate, containerPort: port } as Forward;
        if (candidate !== 0 && [...taken, ...out].some((t) => overlaps(t, f))) {
          failure ??= bindError(endpoint, f);
          continue;
        }
        const res = await probe(proto, hostIp, candidate);
        if ('code' in res) {
          failure ??= probeFailure(endpoint, f, res.code);
          continue;
        }
        chosen = { ...f, hostPort: res.port };
        break;
      }
      if (!chosen) throw failure ?? bindError(endpoint, { hostIp, hostPort: candidates[0]! });
      out.push(chosen);
    }
  }
  return out;
}

/** Whether the host has IPv6 (pasta then binds an all-addresses port on `::` too, as docker-proxy does). */
function hostHasIPv6(): boolean {
  try {
    return readFileSync('/proc/net/if_inet6', 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

/** The bindings as bound, for NetworkSettings.Ports. */
function boundPorts(forwards: readonly Forward[], bothFamilies: boolean): PortMap {
  const map: PortMap = {};
  for (const f of forwards) {
    const list = (map[f.key] ??= []);
    const hostPort = String(f.hostPort);
    if (f.hostIp !== '') list.push({ HostIp: f.hostIp, HostPort: hostPort });
    else {
      list.push({ HostIp: '0.0.0.0', HostPort: hostPort });
      if (bothFamilies) list.push({ HostIp: '::', HostPort: hostPort });
    }
  }
  return map;
}

/** Waits for `ready` (polled), or for the helper to exit first; bounded by `timeoutMs`. */
async function waitReady(child: ChildProcess, ready: () => boolean, timeoutMs: number): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  let exited = child.exitCode !== null || child.signalCode !== null;
  const onExit = (): void => void (exited = true);
  child.once('exit', onExit);
  try {
    for (;;) {
      if (ready()) return 'ready';
      if (exited) return 'exited';
      if (Date.now() > deadline) return 'timeout';
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.off('exit', onExit);
  }
}

/** Ends a helper: SIGTERM, SIGKILL if it lingers; resolves once it is gone. */
function endChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The helper's command, wrapped so the kernel kills it if the process that runs the container
 * dies (setpriv's parent-death signal; root's pasta keeps its credentials, so the signal stays).
 */
function wrapped(file: string, args: string[]): { file: string; args: string[] } {
  const setpriv = which('setpriv');
  return setpriv ? { file: setpriv, args: ['--pdeathsig', 'KILL', '--', file, ...args] } : { file, args };
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '' && !/syslog/.test(l)).slice(-3).join('; ');
  } catch {
    return '';
  }
}

/** pasta's `-t`/`-u` value: `ADDR/HOST:CONTAINER,…`, or `none`. */
function pastaSpec(forwards: readonly Forward[], proto: 'tcp' | 'udp'): string {
  const specs = forwards.filter((f) => f.proto === proto).map((f) => `${f.hostIp ? `${f.hostIp}/` : ''}${f.hostPort}:${f.containerPort}`);
  return specs.length > 0 ? specs.join(',') : 'none';
}

/**
 * pasta attached to the namespace of `pid`. As root it would drop to nobody and could then not
 * enter the namespace: it keeps root (`--runas 0:0`) with its capabilities reduced, and gets
 * the namespace as an open descriptor (root's own /proc access to the container is not its).
 * Rootless it joins the container's user and network namespaces by PID, as podman runs it.
 */
async function startPasta(endpoint: Endpoint, pid: number, forwards: readonly Forward[], dir: string): Promise<PortForwarder> {
  const pidFile = join(dir, 'pasta.pid');
  const log = join(dir, 'pasta.log');
  rmSync(pidFile, { force: true }); // a previous run's file would read as ready
  const args = ['-f', '-q', '--config-net', '--no-map-gw', '-t', pastaSpec(forwards, 'tcp'), '-u', pastaSpec(forwards, 'udp'), '-T', 'none', '-U', 'none', '-P', pidFile];
  const fds: number[] = [];
  if (isRoot()) {
    fds.push(openSync(`/proc/${pid}/ns/net`, 'r'));
    args.push('--runas', '0:0', '--netns', '/proc/self/fd/3');
  } else args.push(String(pid));
  const logFd = openSync(log, 'w', 0o600);
  const cmd = wrapped(which('pasta')!, args);
  let child: ChildProcess;
  try {
    child = spawn(cmd.file, cmd.args, { stdio: ['ignore', logFd, logFd, ...fds], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
  } finally {
    for (const fd of [logFd, ...fds]) closeSync(fd);
  }
  child.on('error', () => {});
  child.unref();
  const state = await waitReady(child, () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 10_000);
  if (state !== 'ready') {
    await endChild(child);
    const why = logTail(log);
    // Taken since allocatePorts looked (or on the other address family): docker's error.
    const spec = /Failed to bind any port for '-([tu]) ([^']*)'/.exec(why);
    const lost = spec && forwards.find((f) => f.proto === (spec[1] === 't' ? 'tcp' : 'udp') && pastaSpec([f], f.proto) === spec[2]);
    if (lost) throw bindError(endpoint, lost);
    throw new PortHelperError('pasta', why || `pasta did not start (${state})`);
  }
  const stop = async (): Promise<void> => {
    await endChild(child);
    rmSync(pidFile, { force: true });
  };
  return { driver: 'pasta', pid: child.pid!, ports: boundPorts(forwards, hostHasIPv6()), stop };
}

/** One request to slirp4netns' API socket; its answer's `return`, or its `error.desc`. */
async function slirpApi(socket: string, request: object): Promise<void> {
  const answer = await new Promise<string>((resolve, reject) => {
    let text = '';
    const conn = createConnection(socket);
    conn.setTimeout(5000, () => conn.destroy(new Error('slirp4netns API timed out')));
    conn.on('data', (d: Buffer) => (text += d.toString('utf8')));
    conn.on('end', () => resolve(text));
    conn.on('error', reject);
    conn.end(JSON.stringify(request));
  });
  const parsed = JSON.parse(answer || '{}') as { error?: { desc?: string } };
  if (parsed.error) throw new Error(parsed.error.desc ?? 'slirp4netns refused the request');
}

/**
 * slirp4netns in the namespace of `pid` (its user namespace too, rootless), with each port added
 * through its API. It stops when the exit pipe closes: when we stop it, or when this process dies.
 */
async function startSlirp(pid: number, forwards: readonly Forward[], dir: string): Promise<PortForwarder> {
  const log = join(dir, 'slirp4netns.log');
  // An API socket's path must fit sockaddr_un (108 bytes): it lives in a short temp dir.
  const sockDir = mkdtempSync(join(tmpdir(), 'strata-slirp-'));
  const socket = join(sockDir, 'api.sock');
  const logFd = openSync(log, 'w', 0o600);
  const args = ['--configure', '--mtu=65520', '--disable-host-loopback', '--api-socket', socket, '--ready-fd', '3', '--exit-fd', '4', String(pid), 'tap0'];
  let child: ChildProcess;
  try {
    child = spawn(which('slirp4netns')!, args, { stdio: ['ignore', logFd, logFd, 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
  } finally {
    closeSync(logFd);
  }
  child.on('error', () => {});
  let ready = false;
  const readyPipe = child.stdio[3] as NodeJS.ReadableStream & { unref?: () => void };
  readyPipe.on('data', () => (ready = true));
  readyPipe.on('error', () => {});
  const exitPipe = child.stdio[4] as NodeJS.WritableStream & { destroy: () => void; unref?: () => void };
  exitPipe.on('error', () => {});
  const stop = async (): Promise<void> => {
    exitPipe.destroy();
    await endChild(child);
    rmSync(sockDir, { recursive: true, force: true });
  };
  try {
    const state = await waitReady(child, () => ready, 10_000);
    if (state !== 'ready') throw new PortHelperError('slirp4netns', logTail(log) || `slirp4netns did not start (${state})`);
    for (const f of forwards) {
      const request = { execute: 'add_hostfwd', arguments: { proto: f.proto, host_addr: f.hostIp || '0.0.0.0', host_port: f.hostPort, guest_port: f.containerPort } };
      await slirpApi(socket, request).catch((err: Error) => {
        throw new PortHelperError('slirp4netns', `${err.message} (${joinHostPort(f.hostIp || '0.0.0.0', f.hostPort)})`);
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  child.unref();
  readyPipe.unref?.();
  exitPipe.unref?.();
  return { driver: 'slirp4netns', pid: child.pid!, ports: boundPorts(forwards, false), stop };
}

/** A helper that could not set up the forwarding; the next installed one is tried. */
export class PortHelperError extends StrataError {
  constructor(driver: PortDriver, reason: string) {
    super('unavailable', `${driver}: ${reason}`);
  }
}

/**
 * Starts the user-mode network of the container whose main process is `pid` and forwards the
 * allocated ports to it. `dir` keeps the helper's log and pid file (the container's directory).
 */
export async function startPortForwarder(endpoint: Endpoint, pid: number, forwards: readonly Forward[], dir: string): Promise<PortForwarder> {
  const drivers = portDrivers();
  if (drivers.length === 0) throw new StrataError('unsupported', INSTALL_HINT);
  const failures: string[] = [];
  for (const d of drivers) {
    try {
      return d === 'pasta' ? await startPasta(endpoint, pid, forwards, dir) : await startSlirp(pid, forwards, dir);
    } catch (err) {
      if (!(err instanceof PortHelperError)) throw err;
      failures.push(err.message);
    }
  }
  throw new StrataError('unavailable', `cannot publish ports: ${failures.join('; ')}`);
}
