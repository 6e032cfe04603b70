import type { Agent, IncomingMessage } from 'node:http';
import { Readable, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { StrataError, type ErrorCode } from '../../../shared/errors.ts';
import type {
  DockerChange, DockerContainerSummary, DockerEvent, DockerHistoryItem, DockerImageDeleteItem, DockerImagesPruneResponse,
  DockerImageSummary, DockerJsonMessage, DockerSystemDf, Filters,
} from '../../../shared/docker-api.ts';
import {
  compareApiVersions, MAX_API_VERSION, MIN_API_VERSION, type BuildImageOptions, type ContainerSpec, type EngineState, type ExecSpec, type OutputChunk,
  type Provider, type RegistryAuth,
} from '../provider.ts';
import { modemOptions, type Endpoint } from './endpoint.ts';
import { getJson, getStream, query, rawTarget, type RawTarget } from './raw-http.ts';

/** dockerode (with docker-modem, ssh2 …) loads on the first call that needs it: listing and inspecting need none. */
async function dockerClient(options: Docker.DockerOptions): Promise<Docker> {
  const { default: DockerClass } = await import('dockerode');
  return new DockerClass(options);
}

/** An engine's error as a StrataError: the engine's own message, the code from its HTTP status. */
export function engineError(err: unknown): Error {
  if (err instanceof StrataError) return err;
  const e = err as { statusCode?: number; json?: { message?: string } | null; reason?: string; message?: string; code?: string };
  if (typeof e.statusCode === 'number') {
    const message = e.json?.message ?? (typeof e.json === 'string' ? e.json : undefined) ?? streamedCause(e.message) ?? e.reason ?? e.message ?? `status ${e.statusCode}`;
    const byStatus: Record<number, ErrorCode> = { 400: 'invalid', 401: 'unauthorized', 403: 'permission-denied', 404: 'not-found', 409: 'conflict', 501: 'unsupported', 503: 'unavailable' };
    return new StrataError(byStatus[e.statusCode] ?? 'internal', String(message).trimEnd(), { details: { status: e.statusCode } });
  }
  if (e.code === 'EACCES' || e.code === 'EPERM') return new StrataError('permission-denied', e.message ?? 'permission denied', { cause: err });
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || e.code === 'EHOSTUNREACH' || e.code === 'ETIMEDOUT') {
    return new StrataError('unavailable', e.message ?? 'engine unreachable', { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * docker-modem keeps no JSON for a refused streaming request (pull, push, build, wait): the
 * engine's message is only inside its own "(HTTP code 404) unexpected - MESSAGE " text.
 */
function streamedCause(message: string | undefined): string | undefined {
  const m = /^\(HTTP code \d+\) [^-]*- ([\s\S]*?) ?$/.exec(message ?? '');
  if (!m) return undefined;
  try {
    return (JSON.parse(m[1]!) as { message?: string }).message ?? m[1];
  } catch {
    return m[1];
  }
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw engineError(err);
  }
}

/** docker-modem's raw GET, for the response headers `/_ping` carries (API-Version). */
function ping(docker: Docker): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    docker.modem.dial({ path: '/_ping', method: 'GET', isStream: true, statusCodes: { 200: true }, options: {} }, (err, res) => {
      if (err) reject(err);
      else resolve(res as IncomingMessage);
    });
  });
}

/** The fix to print for a socket the user may not open. */
export function permissionFix(host: string): string {
  if (host.includes('podman')) return 'use the rootless socket ($XDG_RUNTIME_DIR/podman/podman.sock, `systemctl --user enable --now podman.socket`)';
  return 'add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again) or use rootless Docker ($XDG_RUNTIME_DIR/docker.sock)';
}

/**
 * Looks at an engine: answers whether it can be used and at which API version. Never throws.
 * The version is negotiated as the docker CLI does, from `/_ping`'s API-Version header. With
 * `detail`, also whether it runs rootless (from `/info`: what the desktop's engine list shows).
 */
export async function probe(endpoint: Endpoint, timeoutMs = 5000, detail = false): Promise<EngineState> {
  let api: EngineCalls;
  try {
    api = engineCalls(endpoint, timeoutMs);
  } catch (err) {
    return { state: 'unreachable', message: (err as Error).message };
  }
  try {
    const apiVersion = await api.ping();
    if (!apiVersion || compareApiVersions(apiVersion, MIN_API_VERSION) < 0) {
      return {
        state: 'too-old', apiVersion,
        message: `the engine at ${endpoint.host} speaks Engine API ${apiVersion || '(unknown)'}: too old, Strata needs ${MIN_API_VERSION} or newer (Docker 20.10+, Podman 3+)`,
      };
    }
    const negotiated = compareApiVersions(apiVersion, MAX_API_VERSION) > 0 ? MAX_API_VERSION : apiVersion;
    const v = await api.get<{ Version?: string; Os?: string }>(negotiated, '/version');
    const reachable = { state: 'reachable' as const, apiVersion: negotiated, version: v.Version ?? '', os: v.Os ?? '' };
    if (!detail) return reachable;
    // Rootless engines say so among their security options (docker and podman alike).
    const info = await api.get<{ SecurityOptions?: string[] }>(negotiated, '/info');
    return { ...reachable, rootless: (info.SecurityOptions ?? []).some((o) => o.split(',').includes('name=rootless')) };
  } catch (err) {
    const e = engineError(err);
    if (e instanceof StrataError && e.code === 'permission-denied') {
      return { state: 'permission-denied', message: `permission denied while trying to connect to the Docker daemon socket at ${endpoint.host}`, fix: permissionFix(endpoint.host) };
    }
    return { state: 'unreachable', message: `Cannot connect to the Docker daemon at ${endpoint.host}. Is the docker daemon running? (${e.message})` };
  }
}

/** The two requests every connection makes (the API version, then plain GETs of JSON), raw where the endpoint allows. */
interface EngineCalls {
  /** `/_ping`'s API-Version header. */
  ping(): Promise<string>;
  get<T>(apiVersion: string, path: string): Promise<T>;
}

function engineCalls(endpoint: Endpoint, timeoutMs: number): EngineCalls {
  const raw = rawTarget(endpoint);
  if (raw) {
    return {
      ping: async () => String((await getJson(raw, '/_ping', timeoutMs)).headers['api-version'] ?? ''),
      get: async <T>(apiVersion: string, path: string) => (await getJson<T>(raw, `/v${apiVersion}${path}`, timeoutMs)).body,
    };
  }
  const options = modemOptions(endpoint);
  return {
    ping: async () => {
      const res = await ping(await dockerClient({ ...options, timeout: timeoutMs }));
      // read to its end, so that a kept-alive connection (ssh) is free for the next call
      await new Promise((resolve) => res.on('end', resolve).on('error', resolve).resume());
      return String(res.headers['api-version'] ?? '');
    },
    get: async <T>(apiVersion: string, path: string) => {
      const docker = await dockerClient({ ...options, version: `v${apiVersion}`, timeout: timeoutMs });
      return new Promise<T>((resolve, reject) => {
        docker.modem.dial({ path, method: 'GET', statusCodes: { 200: true }, options: {} }, (err, data) => (err ? reject(err) : resolve(data as T)));
      });
    },
  };
}

/** Reads a JSON-lines body (load, pull, build progress) one message at a time. */
export async function* jsonLines(stream: Readable): AsyncIterable<DockerJsonMessage> {
  let buf = '';
  for await (const chunk of stream) {
    buf += (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line) as DockerJsonMessage;
    }
  }
  if (buf.trim()) yield JSON.parse(buf) as DockerJsonMessage;
}

/** Docker's stdcopy framing: an 8-byte header (stream, 0, 0, 0, big-endian length) per frame. */
async function* demultiplex(source: AsyncIterable<Buffer>): AsyncIterable<{ stream: 'stdout' | 'stderr'; data: Buffer }> {
  let buf: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : Buffer.from(chunk);
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) break;
      const stream = buf[0] === 2 ? 'stderr' : 'stdout';
      yield { stream, data: buf.subarray(8, 8 + size) };
      buf = buf.subarray(8 + size);
    }
  }
}

/** Statuses an engine refuses with (any other is still an error, named "unexpected"). */
const REFUSALS = { 400: 'bad parameter', 401: 'unauthorized', 403: 'forbidden', 404: 'no such object', 409: 'conflict', 500: 'server error', 503: 'unavailable' };

/** The X-Registry-Auth header as the docker CLI writes it: URL-safe base64 of the JSON, padded ("e30=" for none). */
export function encodeAuth(auth: RegistryAuth): string {
  return Buffer.from(JSON.stringify(auth)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** An image or container name in a request's path: as the user wrote it, with nothing that would end the path. */
function pathName(name: string): string {
  return encodeURIComponent(name).replace(/%2F/g, '/').replace(/%3A/g, ':');
}

function asStream(body: Buffer | NodeJS.ReadableStream): AsyncIterable<Buffer> {
  return Buffer.isBuffer(body) ? Readable.from([body]) : (body as AsyncIterable<Buffer>);
}

/** An engine that speaks the Docker Engine API: Docker, Podman's compat service, a remote host. */
export class EngineApiProvider implements Provider {
  readonly kind = 'engine-api' as const;
  readonly name: string;
  readonly apiVersion: string;
  private readonly endpoint: Endpoint;
  /** Plain HTTP for the JSON GETs, where the endpoint needs no TLS or ssh. */
  private readonly raw: RawTarget | undefined;
  private dockerode: Promise<Docker> | undefined;

  private constructor(name: string, endpoint: Endpoint, apiVersion: string) {
    this.name = name;
    this.endpoint = endpoint;
    this.raw = rawTarget(endpoint);
    this.apiVersion = apiVersion;
  }

  /** The engine's client, for the desktop's long calls kept beside the seam (engine-api/desktop-calls.ts). */
  get client(): Promise<Docker> {
    return this.docker;
  }

  /** Connects after negotiating the API version; a refused, unreachable or too old engine is one clear StrataError. */
  static async connect(endpoint: Endpoint, name = endpoint.host): Promise<EngineApiProvider> {
    const state = await probe(endpoint);
    if (state.state === 'too-old') throw new StrataError('unsupported', state.message);
    if (state.state === 'permission-denied') throw new StrataError('permission-denied', `${state.message}: ${state.fix}`);
    if (state.state === 'unreachable') throw new StrataError('unavailable', state.message);
    return new EngineApiProvider(name, endpoint, state.apiVersion);
  }

  /** dockerode, made on first use: streams, writes, and every call over TLS or ssh. */
  private get docker(): Promise<Docker> {
    return (this.dockerode ??= dockerClient({ ...modemOptions(this.endpoint), version: `v${this.apiVersion}` }));
  }

  /** A JSON GET: raw HTTP where it can, else dockerode's `viaDocker`. */
  private get<T>(path: string, params: Record<string, string | number | boolean | undefined>, viaDocker: (d: Docker) => Promise<unknown>): Promise<T> {
    const raw = this.raw;
    if (raw) return call(async () => (await getJson<T>(raw, `/v${this.apiVersion}${path}${query(params)}`)).body);
    return call(async () => (await viaDocker(await this.docker)) as T);
  }

  listImages(o: { all?: boolean; filters?: Filters; digests?: boolean }): Promise<DockerImageSummary[]> {
    const params = { all: o.all ?? false, ...(o.digests ? { digests: true } : {}), filters: JSON.stringify(o.filters ?? {}) };
    return this.get('/images/json', params, (d) => d.listImages(params));
  }

  inspectImage(name: string): Promise<Record<string, unknown>> {
    return this.get(`/images/${pathName(name)}/json`, {}, (d) => d.getImage(name).inspect());
  }

  imageHistory(name: string): Promise<DockerHistoryItem[]> {
    return this.get(`/images/${pathName(name)}/history`, {}, (d) => d.getImage(name).history());
  }

  async tagImage(source: string, target: string): Promise<void> {
    const slash = target.lastIndexOf('/');
    const colon = target.lastIndexOf(':');
    const [repo, tag] = colon > slash ? [target.slice(0, colon), target.slice(colon + 1)] : [target, 'latest'];
    await call(async () => (await this.docker).getImage(source).tag({ repo, tag }));
  }

  removeImage(name: string, o: { force?: boolean; noPrune?: boolean }): Promise<DockerImageDeleteItem[]> {
    return call(async () => (await this.docker).getImage(name).remove({ force: o.force ?? false, noprune: o.noPrune ?? false }) as Promise<DockerImageDeleteItem[]>);
  }

  pruneImages(filters: Filters): Promise<DockerImagesPruneResponse> {
    return call(async () => (await this.docker).pruneImages({ filters: JSON.stringify(filters) }) as Promise<DockerImagesPruneResponse>);
  }

  saveImages(names: string[], signal?: AbortSignal): Promise<Readable> {
    const raw = this.raw;
    if (raw) {
      const path = names.length === 1 ? `/images/${pathName(names[0]!)}/get` : `/images/get?${names.map((n) => `names=${encodeURIComponent(n)}`).join('&')}`;
      return call(() => getStream(raw, `/v${this.apiVersion}${path}`, signal));
    }
    return call(async () => {
      const docker = await this.docker;
      const stream = names.length === 1 ? await docker.getImage(names[0]!).get() : await (docker as unknown as { getImages(o: { names: string[] }): Promise<Readable> }).getImages({ names });
      return stream as Readable;
    });
  }

  async *loadImages(archive: Readable, o: { quiet?: boolean }): AsyncIterable<DockerJsonMessage> {
    const res = await call(async () => (await this.docker).loadImage(archive, { quiet: o.quiet ?? false }) as Promise<Readable>);
    yield* jsonLines(res);
  }

  systemDf(): Promise<DockerSystemDf> {
    return this.get('/system/df', {}, (d) => d.df());
  }

  listContainers(o: { all?: boolean; filters?: Filters; size?: boolean; limit?: number }): Promise<DockerContainerSummary[]> {
    const params = { all: o.all ?? false, size: o.size ?? false, filters: JSON.stringify(o.filters ?? {}), ...(o.limit !== undefined ? { limit: o.limit } : {}) };
    return this.get('/containers/json', params, (d) => d.listContainers(params));
  }

  inspectContainer(id: string): Promise<Record<string, unknown>> {
    return this.get(`/containers/${pathName(id)}/json`, {}, (d) => d.getContainer(id).inspect());
  }

  async *containerLogs(id: string, o: { follow?: boolean; tail?: string; timestamps?: boolean; since?: string; until?: string; signal?: AbortSignal }): AsyncIterable<{ stream: 'stdout' | 'stderr'; data: Buffer }> {
    const info = (await this.inspectContainer(id)) as { Config?: { Tty?: boolean } };
    const container = (await this.docker).getContainer(id);
    // `tail` is a number or "all" on the wire.
    const opts = {
      stdout: true, stderr: true, timestamps: o.timestamps ?? false, tail: (o.tail ?? 'all') as unknown as number,
      ...(o.since ? { since: o.since } : {}), ...(o.until ? { until: o.until } : {}),
    };
    const body = await call(() => (o.follow ? container.logs({ ...opts, follow: true }) : container.logs({ ...opts, follow: false })) as Promise<Buffer | NodeJS.ReadableStream>);
    // A followed log ends when the caller stops reading it (a closed logs pane).
    if (!Buffer.isBuffer(body)) o.signal?.addEventListener('abort', () => (body as Readable).destroy(), { once: true });
    try {
      // A container with a terminal has one raw stream; the others are framed.
      if (info.Config?.Tty) for await (const data of asStream(body)) yield { stream: 'stdout', data };
      else yield* demultiplex(asStream(body));
    } catch (err) {
      if (!o.signal?.aborted) throw engineError(err);
    }
  }

  containerChanges(id: string): Promise<DockerChange[]> {
    return call(async () => ((await (await this.docker).getContainer(id).changes()) ?? []) as DockerChange[]);
  }

  commitContainer(id: string, o: { repo?: string; tag?: string; comment?: string; author?: string; pause?: boolean; changes?: string[] }): Promise<{ Id: string }> {
    return call(async () => (await this.docker).getContainer(id).commit({
      ...(o.repo ? { repo: o.repo } : {}), ...(o.tag ? { tag: o.tag } : {}), ...(o.comment ? { comment: o.comment } : {}),
      ...(o.author ? { author: o.author } : {}), pause: o.pause ?? true, ...(o.changes?.length ? { changes: o.changes } : {}),
    }) as Promise<{ Id: string }>);
  }

  async removeContainer(id: string, o: { force?: boolean; volumes?: boolean; link?: boolean }): Promise<void> {
    await call(async () => (await this.docker).getContainer(id).remove({ force: o.force ?? false, v: o.volumes ?? false, link: o.link ?? false }));
  }

  async startContainer(id: string): Promise<void> {
    await call(async () => (await this.docker).getContainer(id).start());
  }

  async stopContainer(id: string, o: { timeout?: number } = {}): Promise<void> {
    await call(async () => (await this.docker).getContainer(id).stop(o.timeout !== undefined ? { t: o.timeout } : {}));
  }

  async restartContainer(id: string, o: { timeout?: number } = {}): Promise<void> {
    await call(async () => (await this.docker).getContainer(id).restart(o.timeout !== undefined ? { t: o.timeout } : {}));
  }

  async *pullImage(image: { name: string; tag?: string }, o: { platform?: string; auth?: RegistryAuth; signal?: AbortSignal }): AsyncIterable<DockerJsonMessage> {
    const query = { fromImage: image.name, ...(image.tag !== undefined ? { tag: image.tag } : {}), ...(o.platform ? { platform: o.platform } : {}) };
    yield* this.messages(await this.dial({ path: '/images/create', query, auth: o.auth ?? {}, ...(o.signal ? { signal: o.signal } : {}) }));
  }

  async *pushImage(name: string, o: { tag?: string; auth?: RegistryAuth; signal?: AbortSignal }): AsyncIterable<DockerJsonMessage> {
    const query = o.tag !== undefined ? { tag: o.tag } : {};
    yield* this.messages(await this.dial({ path: `/images/${name}/push`, query, auth: o.auth ?? {}, ...(o.signal ? { signal: o.signal } : {}) }));
  }

  async *buildImage(context: Readable, o: BuildImageOptions): AsyncIterable<DockerJsonMessage> {
    // The query the docker CLI sends for the classic builder (version 1), removing intermediate containers.
    const query = {
      t: o.tags, dockerfile: o.dockerfile, buildargs: JSON.stringify(o.buildArgs), networkmode: o.network ?? 'default', rm: '1', version: '1',
      ...(o.quiet ? { q: '1' } : {}), ...(o.noCache ? { nocache: '1' } : {}), ...(o.pull ? { pull: '1' } : {}),
      ...(o.target ? { target: o.target } : {}), ...(o.platform ? { platform: o.platform.toLowerCase() } : {}),
    };
    yield* this.messages(await this.dial({ path: '/build', query, file: context, ...(o.signal ? { signal: o.signal } : {}) }));
  }

  async createContainer(spec: ContainerSpec): Promise<{ Id: string; Warnings: string[] }> {
    const body = {
      Image: spec.image, Env: spec.env, Labels: spec.labels, Tty: false, OpenStdin: false, StdinOnce: false, AttachStdin: false,
      AttachStdout: spec.attach, AttachStderr: spec.attach,
      ...(spec.cmd.length > 0 ? { Cmd: spec.cmd } : {}), ...(spec.entrypoint !== undefined ? { Entrypoint: [spec.entrypoint] } : {}),
      ...(spec.workdir !== undefined ? { WorkingDir: spec.workdir } : {}), ...(spec.user !== undefined ? { User: spec.user } : {}),
      HostConfig: { AutoRemove: spec.autoRemove, ...(spec.network !== undefined ? { NetworkMode: spec.network } : {}) },
    };
    const docker = await this.docker;
    const res = await new Promise<{ Id: string; Warnings: string[] | null }>((resolve, reject) => {
      docker.modem.dial({
        path: '/containers/create?', method: 'POST', options: { _query: spec.name !== undefined ? { name: spec.name } : {}, _body: body },
        statusCodes: { 201: true, ...REFUSALS },
      }, (err, data) => (err ? reject(engineError(err)) : resolve(data as { Id: string; Warnings: string[] | null })));
    });
    return { Id: res.Id, Warnings: res.Warnings ?? [] };
  }

  async attachContainer(id: string, o: { signal?: AbortSignal } = {}): Promise<AsyncIterable<OutputChunk>> {
    const docker = await this.docker;
    const socket = await new Promise<Duplex>((resolve, reject) => {
      docker.modem.dial({
        path: `/containers/${encodeURIComponent(id)}/attach?`, method: 'POST', options: { _query: { stream: '1', stdout: '1', stderr: '1' }, _body: {} },
        hijack: true, isStream: true, statusCodes: { 101: true, 200: true, ...REFUSALS },
        ...(o.signal ? { abortSignal: o.signal } : {}),
      }, (err, sock) => (err ? reject(engineError(err)) : resolve(sock as Duplex)));
    });
    o.signal?.addEventListener('abort', () => socket.destroy(), { once: true });
    return demultiplex(socket as AsyncIterable<Buffer>);
  }

  async waitContainer(id: string, condition: 'next-exit' | 'removed' | 'not-running', o: { signal?: AbortSignal } = {}): Promise<{ exited: Promise<number> }> {
    const res = await this.dial({ path: `/containers/${encodeURIComponent(id)}/wait`, query: { condition }, ...(o.signal ? { signal: o.signal } : {}) });
    o.signal?.addEventListener('abort', () => res.destroy(), { once: true });
    const exited = (async () => {
      let body = '';
      for await (const chunk of res) body += (chunk as Buffer).toString('utf8');
      const status = JSON.parse(body) as { StatusCode: number; Error?: { Message?: string } | null };
      if (status.Error?.Message) throw new StrataError('internal', status.Error.Message);
      return status.StatusCode;
    })();
    exited.catch(() => {});
    return { exited };
  }

  async execInContainer(id: string, spec: ExecSpec): Promise<{ output: AsyncIterable<OutputChunk>; exitCode(): Promise<number> }> {
    const exec = await call(async () => (await this.docker).getContainer(id).exec({
      Cmd: spec.cmd, AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false,
      ...(spec.env.length > 0 ? { Env: spec.env } : {}), ...(spec.user !== undefined ? { User: spec.user } : {}), ...(spec.workdir !== undefined ? { WorkingDir: spec.workdir } : {}),
    }));
    const socket = await call(() => exec.start({ hijack: true, stdin: false, Detach: false, Tty: false }) as Promise<Duplex>);
    return {
      output: demultiplex(socket as AsyncIterable<Buffer>),
      exitCode: async () => ((await call(() => exec.inspect())).ExitCode ?? 0),
    };
  }

  /** A streaming call: resolves with the body once the engine has answered with its headers. */
  private async dial(o: { path: string; query: Record<string, unknown>; file?: Readable; auth?: RegistryAuth; signal?: AbortSignal }): Promise<Readable> {
    const docker = await this.docker;
    return new Promise((resolve, reject) => {
      docker.modem.dial({
        path: `${o.path}?`, method: 'POST', options: { _query: o.query, _body: {} }, isStream: true, statusCodes: { 200: true, ...REFUSALS },
        ...(o.file ? { file: o.file } : {}), ...(o.auth ? { authconfig: { base64: encodeAuth(o.auth) } } : {}), ...(o.signal ? { abortSignal: o.signal } : {}),
      }, (err, res) => (err ? reject(engineError(err)) : resolve(res as Readable)));
    });
  }

  private async *messages(body: Readable): AsyncIterable<DockerJsonMessage> {
    try {
      yield* jsonLines(body);
    } catch (err) {
      throw engineError(err);
    }
  }

  async *events(o: { since?: string; until?: string; filters?: Filters; signal?: AbortSignal }): AsyncIterable<DockerEvent> {
    const stream = (await call(async () => (await this.docker).getEvents({
      ...(o.since ? { since: o.since } : {}), ...(o.until ? { until: o.until } : {}), filters: JSON.stringify(o.filters ?? {}),
    } as Docker.GetEventsOptions))) as unknown as Readable;
    o.signal?.addEventListener('abort', () => stream.destroy(), { once: true });
    try {
      for await (const m of jsonLines(stream)) yield m as unknown as DockerEvent;
    } catch (err) {
      if (!o.signal?.aborted) throw engineError(err);
    }
  }

  close(): void {
    // Unix and TCP connections are per request; an ssh host's kept-alive connections end here.
    void this.dockerode?.then((d) => (d.modem as { agent?: Agent }).agent?.destroy(), () => {});
  }
}
