/**
 * Containers over the Engine API: create, start, attach, wait, resize, stop, kill, restart,
 * remove, logs, commit, export, and exec. Containers with an attached client run in this
 * process (their output goes to the client's stream); the others start in the engine's detached
 * monitor, as `strata run -d` does, so they outlive the service.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Engine } from '../engine/engine.ts';
import type { ContainerProcess } from '../engine/container/container-service.ts';
import type { CreateOptions } from '../engine/container/config.ts';
import { commitContainer } from '../engine/container/commit.ts';
import { exportRootfs } from '../engine/container/export.ts';
import { StrataError } from '../../shared/errors.ts';
import { ApiError, boolParam, intParam, readJson, sendEmpty, sendJson } from './http.ts';
import { plainStream, readUpgradeBody, upgradedStream, type RawStream } from './streams.ts';
import type { Route, RouteContext } from './router.ts';
import { knownNetwork } from './networks.ts';
import { parseExposedPorts } from '../engine/build/instructions/history.ts';

interface CreateBody {
  Image?: string;
  Cmd?: string[] | string | null;
  Entrypoint?: string[] | string | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, object> | null;
  HostConfig?: {
    AutoRemove?: boolean;
    NetworkMode?: string;
    Binds?: string[] | null;
    Mounts?: unknown[] | null;
    PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    PublishAllPorts?: boolean;
    Privileged?: boolean;
  } | null;
}

const asArray = (v: string[] | string | null | undefined): string[] | undefined => (v === null || v === undefined ? undefined : typeof v === 'string' ? [v] : v);

/** What the sandbox cannot honour is refused with a clear 400, never ignored. */
function refuseUnsupported(host: NonNullable<CreateBody['HostConfig']>): void {
  if ((host.Binds ?? []).length > 0 || (host.Mounts ?? []).length > 0) throw new StrataError('unsupported', 'bind mounts and volumes are not supported by the Strata sandbox yet');
  if (host.Privileged) throw new StrataError('unsupported', 'privileged containers are not supported: the Strata sandbox is rootless');
}

/** ExposedPorts, HostConfig.PortBindings and PublishAllPorts as the engine's create options. */
function portOptions(body: CreateBody): Pick<CreateOptions, 'portBindings' | 'publishAll' | 'expose'> {
  const portBindings: NonNullable<CreateOptions['portBindings']> = {};
  for (const [key, list] of Object.entries(body.HostConfig?.PortBindings ?? {})) {
    // The key is validated like an EXPOSE value; bindings keep docker's strings.
    const [port] = parseExposedPorts([key]);
    if (!port) continue;
    portBindings[port] = (list ?? []).map((b) => ({ HostIp: b.HostIp ?? '', HostPort: b.HostPort ?? '' }));
  }
  return { portBindings, publishAll: body.HostConfig?.PublishAllPorts ?? false, expose: parseExposedPorts(Object.keys(body.ExposedPorts ?? {})) };
}

/**
 * A container's network: `host` and `none` when asked; the default bridge and user-defined
 * networks are `bridge` (a private namespace that can publish ports, as the CLI's default).
 */
function networkOf(engine: Engine, mode: string | undefined): CreateOptions['network'] {
  if (mode === 'host' || mode === 'none') return mode;
  if (mode === undefined || mode === '' || mode === 'default' || mode === 'bridge') return 'bridge';
  if (knownNetwork(engine, mode)) return 'bridge';
  throw new ApiError(404, `network ${mode} not found`);
}

/** One process run for a client (a container or an exec): its attachments and exit. */
class Session {
  readonly streams = new Set<RawStream>();
  proc: ContainerProcess | undefined;
  exitCode: number | undefined;
  /** Input a client sent before the process started (the docker CLI attaches, then starts). */
  private early: Buffer[] = [];
  private inputEnded = false;

  attach(stream: RawStream, stdin: boolean): void {
    this.streams.add(stream);
    stream.onClose(() => this.streams.delete(stream));
    if (stdin && stream.input) {
      stream.input.on('data', (d: Buffer) => (this.proc ? this.proc.write(d) : this.early.push(d)));
      stream.input.on('end', () => (this.proc ? this.proc.end() : (this.inputEnded = true)));
      stream.input.resume();
    }
  }

  /** Pipes a started process to every attached client; ends their streams after the exit. */
  run(proc: ContainerProcess): Promise<number> {
    this.proc = proc;
    for (const d of this.early.splice(0)) proc.write(d);
    if (this.inputEnded) proc.end();
    proc.onData((data, kind) => {
      for (const s of this.streams) s.send(kind, data);
    });
    return proc.exited.then(
      (r) => r.exitCode,
      () => 125,
    );
  }

  close(): void {
    for (const s of this.streams) s.end();
    this.streams.clear();
  }
}

interface ExecRecord {
  id: string;
  containerId: string;
  cmd: string[];
  env: string[];
  user: string;
  workdir: string;
  tty: boolean;
  attachStdin: boolean;
  session: Session;
  running: boolean;
}

/** State the service keeps between requests: clients attached before start, execs. */
export class Lifecycle {
  private readonly engine: Engine;
  private readonly pending = new Map<string, Session>();
  private readonly execs = new Map<string, ExecRecord>();
  /** Exit codes of the runs this service made, kept past an auto-remove for `wait?condition=removed`. */
  private readonly exits = new Map<string, number>();

  constructor(engine: Engine) {
    this.engine = engine;
  }

  routes(): Route[] {
    return [
      ['POST', /^\/containers\/create$/, (c) => this.create(c)],
      ['POST', /^\/containers\/([^/]+)\/start$/, (c) => this.start(c)],
      ['POST', /^\/containers\/([^/]+)\/attach$/, (c) => this.attach(c)],
      ['POST', /^\/containers\/([^/]+)\/wait$/, (c) => this.wait(c)],
      ['POST', /^\/containers\/([^/]+)\/resize$/, (c) => this.resize(c)],
      ['POST', /^\/containers\/([^/]+)\/stop$/, (c) => this.stop(c)],
      ['POST', /^\/containers\/([^/]+)\/kill$/, (c) => this.kill(c)],
      ['POST', /^\/containers\/([^/]+)\/restart$/, (c) => this.restart(c)],
      ['DELETE', /^\/containers\/([^/]+)$/, (c) => this.remove(c)],
      ['GET', /^\/containers\/([^/]+)\/logs$/, (c) => this.logs(c)],
      ['GET', /^\/containers\/([^/]+)\/export$/, (c) => this.export(c)],
      ['POST', /^\/commit$/, (c) => this.commit(c)],
      ['POST', /^\/containers\/([^/]+)\/exec$/, (c) => this.execCreate(c)],
      ['POST', /^\/exec\/([^/]+)\/start$/, (c) => this.execStart(c)],
      ['POST', /^\/exec\/([^/]+)\/resize$/, (c) => this.execResize(c)],
      ['GET', /^\/exec\/([^/]+)\/json$/, (c) => this.execInspect(c)],
    ];
  }

  private async create(ctx: RouteContext): Promise<void> {
    const body = (await readJson<CreateBody>(ctx.req)) ?? {};
    if (!body.Image) throw new ApiError(400, 'Config cannot be empty in order to create a container');
    const host = body.HostConfig ?? {};
    refuseUnsupported(host);
    const entrypoint = asArray(body.Entrypoint);
    const opts: CreateOptions = {
      image: body.Image,
      cmd: asArray(body.Cmd) ?? [],
      env: body.Env ?? [],
      labels: Object.entries(body.Labels ?? {}).map(([k, v]) => `${k}=${v}`),
      tty: body.Tty ?? false,
      openStdin: body.OpenStdin ?? false,
      autoRemove: host.AutoRemove ?? false,
      network: networkOf(this.engine, host.NetworkMode),
    };
    const name = ctx.query.get('name');
    if (name) opts.name = name;
    if (body.WorkingDir) opts.workdir = body.WorkingDir;
    if (body.User) opts.user = body.User;
    // docker's API takes the entrypoint as a list; the engine's option is the CLI's single word.
    if (entrypoint !== undefined) opts.entrypoint = entrypoint.length === 0 ? '' : entrypoint[0]!;
    if (entrypoint && entrypoint.length > 1) opts.cmd = [...entrypoint.slice(1), ...(opts.cmd ?? [])];
    Object.assign(opts, portOptions(body));
    const rec = this.engine.containers.create(opts, {});
    sendJson(ctx.res, 201, { Id: rec.id, Warnings: [] });
  }

  /** A client attaching before start gets the output of the run the next start makes. */
  private attach(ctx: RouteContext): void {
    const rec = this.engine.containers.get(ctx.params[0]!);
    const stdin = boolParam(ctx.query, 'stdin');
    const live = this.engine.containers.attach(rec.id);
    let session = this.pending.get(rec.id);
    if (!session) {
      if (live) throw new ApiError(409, `container ${rec.id} runs in another client's session: attach is not supported there`);
      if (rec.state === 'running') throw new ApiError(409, `container ${rec.id} was started by another process: use logs --follow`);
      session = new Session();
      this.pending.set(rec.id, session);
    }
    const stream = ctx.upgrade
      ? upgradedStream(ctx.upgrade.socket, ctx.upgrade.head, rec.config.Tty, ctx.version)
      : plainStream(ctx.req, ctx.res, rec.config.Tty, ctx.version);
    session.attach(stream, stdin);
  }

  private async start(ctx: RouteContext): Promise<void> {
    const rec = this.engine.containers.get(ctx.params[0]!);
    if (rec.state === 'running') return sendEmpty(ctx.res, 304);
    const session = this.pending.get(rec.id);
    if (!session) {
      await this.engine.containers.startDetached(rec.id);
      return sendEmpty(ctx.res);
    }
    this.pending.delete(rec.id);
    let proc: ContainerProcess;
    try {
      proc = await this.engine.containers.start(rec.id);
    } catch (err) {
      session.close();
      if (rec.config.AutoRemove) await this.engine.containers.remove(rec.id, { force: true }).catch(() => undefined);
      throw err;
    }
    sendEmpty(ctx.res);
    void session.run(proc).then(async (code) => {
      this.exits.set(rec.id, code);
      session.close();
      if (rec.config.AutoRemove) await this.engine.containers.remove(rec.id, { force: true }).catch(() => undefined);
    });
  }

  /** Headers at once, the body when the condition holds (docker's wait). */
  private async wait(ctx: RouteContext): Promise<void> {
    const condition = ctx.query.get('condition') || 'not-running';
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new ApiError(400, `invalid condition: "${condition}"`);
    const id = this.engine.containers.get(ctx.params[0]!).id;
    const since = Date.now();
    ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
    ctx.res.flushHeaders();
    let exitCode = 0;
    while (!ctx.signal.aborted) {
      const rec = this.engine.containers.tryGet(id);
      if (!rec) {
        exitCode = this.exits.get(id) ?? exitCode;
        break;
      }
      exitCode = rec.exitCode;
      const stopped = rec.state !== 'running';
      if (condition === 'not-running' && stopped) break;
      if (condition === 'next-exit' && stopped && rec.finishedAt >= since) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (this.engine.containers.tryGet(id) === undefined) this.exits.delete(id);
    ctx.res.end(`${JSON.stringify({ StatusCode: exitCode, Error: null })}\n`);
  }

  private resize(ctx: RouteContext): void {
    const proc = this.engine.containers.attach(ctx.params[0]!);
    const cols = intParam(ctx.query, 'w', 0);
    const rows = intParam(ctx.query, 'h', 0);
    if (proc && cols > 0 && rows > 0) proc.resize(cols, rows);
    ctx.res.writeHead(200);
    ctx.res.end();
  }

  private async stop(ctx: RouteContext): Promise<void> {
    const rec = this.engine.containers.get(ctx.params[0]!);
    if (rec.state !== 'running') return sendEmpty(ctx.res, 304);
    await this.engine.containers.stop(rec.id, intParam(ctx.query, 't', 10));
    sendEmpty(ctx.res);
  }

  private async kill(ctx: RouteContext): Promise<void> {
    const raw = ctx.query.get('signal') || 'SIGKILL';
    const signal = (/^\d+$/.test(raw) ? raw : raw.startsWith('SIG') ? raw : `SIG${raw}`).toUpperCase() as NodeJS.Signals;
    const rec = this.engine.containers.get(ctx.params[0]!);
    if (rec.state !== 'running') throw new ApiError(409, `Container ${rec.id} is not running`);
    await this.engine.containers.kill(rec.id, signal);
    sendEmpty(ctx.res);
  }

  private async restart(ctx: RouteContext): Promise<void> {
    const rec = this.engine.containers.get(ctx.params[0]!);
    await this.engine.containers.stop(rec.id, intParam(ctx.query, 't', 10));
    await this.engine.containers.startDetached(rec.id);
    sendEmpty(ctx.res);
  }

  private async remove(ctx: RouteContext): Promise<void> {
    await this.engine.containers.remove(ctx.params[0]!, { force: boolParam(ctx.query, 'force') });
    sendEmpty(ctx.res);
  }

  /** json-file logs: framed without a TTY, following the file while the container runs. */
  private async logs(ctx: RouteContext): Promise<void> {
    const rec = this.engine.containers.get(ctx.params[0]!);
    const q = ctx.query;
    const want = { stdout: boolParam(q, 'stdout'), stderr: boolParam(q, 'stderr') };
    if (!want.stdout && !want.stderr) throw new ApiError(400, 'You must choose at least one stream');
    const timestamps = boolParam(q, 'timestamps');
    const tailRaw = q.get('tail');
    const tail = tailRaw === null || tailRaw === '' || tailRaw === 'all' ? -1 : Number(tailRaw);
    const stream = plainStream(ctx.req, ctx.res, rec.config.Tty, ctx.version);
    // The log stays readable through this descriptor after an auto-remove deletes the file
    // (docker-py follows the logs of `run(remove=True)` while the container is removed).
    const fd = openSync(join(this.engine.containers.dirOf(rec.id), 'container.log'), constants.O_RDONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    const emit = (lines: LogLine[]): void => {
      for (const l of lines) {
        if (!want[l.stream]) continue;
        stream.send(l.stream, Buffer.from(timestamps ? `${l.time} ${l.text}` : l.text));
      }
    };
    try {
      let { lines, offset } = readLog(fd, 0);
      emit(tail >= 0 ? lines.slice(Math.max(0, lines.length - tail)) : lines);
      if (boolParam(q, 'follow')) {
        while (!ctx.signal.aborted) {
          const running = this.engine.containers.tryGet(rec.id)?.state === 'running';
          ({ lines, offset } = readLog(fd, offset));
          emit(lines);
          if (!running) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      closeSync(fd);
    }
    stream.end();
  }

  private async export(ctx: RouteContext): Promise<void> {
    const view = await this.engine.containers.rootfs(ctx.params[0]!);
    ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    const tar = exportRootfs(view);
    tar.on('error', () => ctx.res.destroy());
    tar.pipe(ctx.res);
    await once(ctx.res, 'close');
  }

  private async commit(ctx: RouteContext): Promise<void> {
    const q = ctx.query;
    const container = q.get('container');
    if (!container) throw new ApiError(400, 'container is required');
    const repo = q.get('repo') ?? '';
    const tag = q.get('tag') ?? '';
    await readJson(ctx.req);
    const image = await commitContainer(this.engine, container, {
      ...(repo ? { reference: tag ? `${repo}:${tag}` : repo } : {}),
      ...(q.get('comment') ? { message: q.get('comment')! } : {}),
      ...(q.get('author') ? { author: q.get('author')! } : {}),
      changes: q.getAll('changes').flatMap((c) => c.split('\n')).filter(Boolean),
      pause: boolParam(q, 'pause', true),
    });
    sendJson(ctx.res, 201, { Id: image.id });
  }

  private async execCreate(ctx: RouteContext): Promise<void> {
    const rec = this.engine.containers.get(ctx.params[0]!);
    if (rec.state !== 'running') throw new ApiError(409, `Container ${rec.id} is not running`);
    const body = (await readJson<{ Cmd?: string[]; Env?: string[]; User?: string; WorkingDir?: string; Tty?: boolean; AttachStdin?: boolean }>(ctx.req)) ?? {};
    if (!body.Cmd || body.Cmd.length === 0) throw new ApiError(400, 'No exec command specified');
    const id = randomBytes(32).toString('hex');
    this.execs.set(id, {
      id, containerId: rec.id, cmd: body.Cmd, env: body.Env ?? [], user: body.User ?? '', workdir: body.WorkingDir ?? '',
      tty: body.Tty ?? false, attachStdin: body.AttachStdin ?? false, session: new Session(), running: false,
    });
    sendJson(ctx.res, 201, { Id: id });
  }

  private exec(id: string): ExecRecord {
    const e = this.execs.get(id);
    if (!e) throw new ApiError(404, `No such exec instance: ${id}`);
    return e;
  }

  private async execStart(ctx: RouteContext): Promise<void> {
    const e = this.exec(ctx.params[0]!);
    if (e.running || e.session.exitCode !== undefined) throw new ApiError(409, `Exec ${e.id} has already been started`);
    const length = Number(ctx.req.headers['content-length'] ?? 0);
    const raw = ctx.upgrade ? await readUpgradeBody(ctx.upgrade.socket, ctx.upgrade.head, length) : undefined;
    const body = (raw ? (JSON.parse(raw.toString('utf8') || '{}') as { Detach?: boolean; Tty?: boolean }) : await readJson<{ Detach?: boolean; Tty?: boolean }>(ctx.req)) ?? {};
    const tty = body.Tty ?? e.tty;
    const proc = await this.engine.containers.exec(e.containerId, {
      args: e.cmd, env: e.env, tty, ...(e.user ? { user: e.user } : {}), ...(e.workdir ? { workdir: e.workdir } : {}),
    });
    e.running = true;
    if (!body.Detach) {
      const stream = ctx.upgrade ? upgradedStream(ctx.upgrade.socket, Buffer.alloc(0), tty, ctx.version) : plainStream(ctx.req, ctx.res, tty, ctx.version);
      e.session.attach(stream, e.attachStdin);
    }
    const done = e.session.run(proc).then((code) => {
      e.session.exitCode = code;
      e.running = false;
      e.session.close();
    });
    if (body.Detach) {
      sendEmpty(ctx.res, 200);
      return;
    }
    await done;
  }

  private execResize(ctx: RouteContext): void {
    const e = this.exec(ctx.params[0]!);
    const cols = intParam(ctx.query, 'w', 0);
    const rows = intParam(ctx.query, 'h', 0);
    if (e.session.proc && cols > 0 && rows > 0) e.session.proc.resize(cols, rows);
    sendJson(ctx.res, 201, {});
  }

  private execInspect(ctx: RouteContext): void {
    const e = this.exec(ctx.params[0]!);
    sendJson(ctx.res, 200, {
      ID: e.id,
      Running: e.running,
      ExitCode: e.session.exitCode ?? null,
      ProcessConfig: { tty: e.tty, entrypoint: e.cmd[0], arguments: e.cmd.slice(1), privileged: false, ...(e.user ? { user: e.user } : {}) },
      OpenStdin: e.attachStdin,
      OpenStderr: true,
      OpenStdout: true,
      CanRemove: !e.running,
      ContainerID: e.containerId,
      DetachKeys: '',
      Pid: 0,
    });
  }
}

interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
  time: string;
}

/** The json-file log from `offset` of an open descriptor: whole lines only, one entry per line of output. */
function readLog(fd: number, offset: number): { lines: LogLine[]; offset: number } {
  const size = fstatSync(fd).size;
  if (size <= offset) return { lines: [], offset };
  const buf = Buffer.alloc(size - offset);
  const n = readSync(fd, buf, 0, buf.length, offset);
  const complete = buf.subarray(0, n).lastIndexOf(0x0a) + 1;
  const lines: LogLine[] = [];
  for (const l of buf.subarray(0, complete).toString('utf8').split('\n')) {
    if (!l) continue;
    const j = JSON.parse(l) as { log: string; stream: 'stdout' | 'stderr'; time: string };
    for (const part of j.log.match(/[^\n]*\n|[^\n]+$/g) ?? []) lines.push({ stream: j.stream, text: part, time: j.time });
  }
  return { lines, offset: offset + complete };
}
