import { appendFileSync, existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Stores } from '../stores.ts';
import { migrate } from '../metadata/db.ts';
import { ConflictError, uniqueLayerSize } from '../image/image-service.ts';
import { keptForm, type LayerForm } from '../layer/layer-forms.ts';
import type { Snapshotter } from '../snapshot/snapshotter.ts';
import type { Change } from '../snapshot/changes.ts';
import type { RootfsView } from '../snapshot/rootfs.ts';
import type { SandboxProcess, RunResult } from '../runtime/sandbox.ts';
import { ExecError } from '../runtime/exec-error.ts';
import { directorySize } from '../usage/directory-size.ts';
import type { DiskUsageContainer } from '../api.ts';
import type { NewEvent } from '../events/event-log.ts';
import { CONTAINER_MIGRATIONS } from './migrations.ts';
import { containerArgs, containerSettings, listedCommand, parseEnvFile, processEnv, resolveEnvArg, type ContainerSettings, type CreateOptions } from './config.ts';
import { randomName } from './names.ts';
import type { Forward, PortForwarder } from '../network/port-forwarder.ts';
import { networkPorts, portSummaries, requestedBindings, type PortMap } from '../network/ports.ts';
import { isErrorCode, StrataError } from '../../../shared/errors.ts';
import { humanDuration } from '../../../shared/units.ts';
import { NoSuchContainerError } from '../daemon-errors.ts';
export { NoSuchContainerError };

export type ContainerState = 'created' | 'running' | 'exited';

export interface ContainerRecord {
  id: string;
  name: string;
  imageId: string;
  /** The image as the user named it. */
  image: string;
  config: ContainerSettings;
  /** Unix ms. */
  created: number;
  state: ContainerState;
  exitCode: number;
  startedAt: number;
  finishedAt: number;
  sandboxPid: number;
}

/** One layer under a container, in the form the store keeps it. */
export interface ContainerLayer extends LayerForm {
  diffId: string;
  /** Uncompressed tar bytes. */
  size: number;
  /** docker's size of the layer. */
  diffSize: number;
}

/** `containers/<id>/ports.json` while a container publishes ports: its helper and what it bound. */
interface PublishedPorts {
  driver: string;
  pid: number;
  /** The helper's /proc start time, against pid reuse when it is reaped. */
  start: string;
  forwards: Forward[];
  ports: PortMap;
}

interface Row {
  id: string; name: string; image_id: string; image: string; config: string; created: number; state: ContainerState;
  exit_code: number; started_at: number; finished_at: number; monitor_pid: number; monitor_start: string; sandbox_pid: number;
}

/** A container process this process runs: what `-it`, the desktop terminal and `attach` drive. */
export interface ContainerProcess {
  id: string;
  write(data: string | Buffer): void;
  end(): void;
  resize(cols: number, rows: number): void;
  onData(fn: (data: Buffer, stream: 'stdout' | 'stderr') => void): void;
  readonly exited: Promise<RunResult>;
  /** Called once with the exit (a convenience over `exited` for event-style callers such as IPC). */
  onExit(fn: (result: RunResult) => void): void;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * The sandbox and snapshot code, loaded when a container first runs or is looked into: the
 * service is constructed whenever the store opens (it holds images and reports sizes), and
 * `images`, `rmi` or `system df` never need that code.
 */
async function runtime() {
  const [sandbox, rootfs, snapshotter, user, opaque, snapshotChanges, exec] = await Promise.all([
    import('../runtime/sandbox.ts'), import('../snapshot/rootfs.ts'), import('../snapshot/snapshotter.ts'), import('../runtime/user.ts'),
    import('../runtime/opaque.ts'), import('../snapshot/changes.ts'), import('./exec.ts'),
  ]);
  return { ...sandbox, ...rootfs, ...snapshotter, ...user, ...opaque, ...snapshotChanges, ...exec };
}

function withOnExit(p: Omit<ContainerProcess, 'onExit'>): ContainerProcess {
  return { ...p, onExit: (fn) => void p.exited.then(fn, () => fn({ exitCode: 125 })) };
}

/** /proc start time of a process, to tell a live monitor from a reused pid. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * How to start the detached monitor: its source under Node 24 (the CLI runs the sources), or the
 * script electron-vite bundles beside the main process (`out/main/monitor.js`) in the desktop
 * app, where `execPath` is Electron itself and ELECTRON_RUN_AS_NODE makes it a plain Node.
 */
function monitorCommand(root: string, id: string): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const source = fileURLToPath(new URL('./monitor.ts', import.meta.url));
  const script = existsSync(source) ? source : fileURLToPath(new URL('./monitor.js', import.meta.url));
  const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
  return { command: process.execPath, args: [script, root, id], env };
}

/**
 * Containers: records in SQLite, a directory each under `containers/<id>/` (upper, work, log),
 * processes in the sandbox. Daemonless: whoever starts a container (the CLI in the foreground, a
 * detached monitor for `-d`, the desktop app) runs it and records its exit; a record left
 * "running" by a process that died is read as exited.
 */
export class ContainerService {
  private readonly engine: Stores;
  private snapshotter: Snapshotter | undefined;
  private readonly live = new Map<string, ContainerProcess>();
  readonly root: string;

  constructor(engine: Stores) {
    this.engine = engine;
    migrate(engine.db, 'containers', CONTAINER_MIGRATIONS);
    this.root = engine.dir('containers');
    // A container stands on its own copy of its image's layer stack (container_layers): after
    // `rmi -f` deletes the image under a stopped container, its layers, their snapshots and the
    // image's config (for `commit`) stay until the container is removed, as docker's RW layer
    // holds its parent chain.
    engine.references.register({
      kind: 'container',
      layers: { table: 'container_layers', column: 'diff_id' },
      chains: { table: 'container_layers', column: 'chain_id' },
      blobs: { table: 'containers', column: 'image_id' },
      imageUsers: (imageId) => this.usersOfImage(imageId),
      containers: () => this.diskUsage(),
      imageUseCounts: () => {
        const m = new Map<string, number>();
        for (const r of engine.db.prepare('SELECT image_id, count(*) AS n FROM containers GROUP BY image_id').all() as { image_id: string; n: number }[]) m.set(r.image_id, r.n);
        return m;
      },
    });
  }

  /** The read-only directories a container's rootfs stands on, lowest first (unpacked when missing). */
  private async lowerDirsOf(rec: Pick<ContainerRecord, 'id'>): Promise<string[]> {
    const { Snapshotter } = await runtime();
    return (this.snapshotter ??= new Snapshotter(this.engine)).lowerDirsForLayers(this.layersOf(rec.id));
  }

  /**
   * The layer stack a container stands on, lowest first, each with the form it is stored in: the
   * container's own record, which outlives its image (`rmi -f` of an image stopped containers use).
   */
  layersOf(id: string): ContainerLayer[] {
    const rows = this.engine.db
      .prepare(
        `SELECT cl.diff_id, l.size, l.diff_size FROM container_layers cl JOIN layers l ON l.diff_id = cl.diff_id
         WHERE cl.container_id = ? ORDER BY cl.position`,
      )
      .all(id) as { diff_id: string; size: number; diff_size: number }[];
    return rows.map((r) => {
      const form = keptForm(this.engine.db, this.engine.content, r.diff_id);
      if (!form) throw new StrataError('data-loss', `layer ${r.diff_id} of container ${id.slice(0, 12)} is missing from the store`);
      return { diffId: r.diff_id, size: r.size, diffSize: r.diff_size, ...form };
    });
  }

  dirOf(id: string): string {
    return join(this.root, id);
  }

  upperDir(id: string): string {
    return join(this.dirOf(id), 'upper');
  }

  /**
   * The image as the daemon lists it (moby's refreshImage): the reference the container was
   * created from while it still names the same image, else the image's ID (`sha256:…`).
   */
  listedImage(rec: Pick<ContainerRecord, 'image' | 'imageId'>): string {
    if (rec.image === rec.imageId) return rec.image;
    let current: string | undefined;
    try {
      current = this.engine.images.tryResolve(rec.image);
    } catch {
      current = undefined;
    }
    return current === rec.imageId ? rec.image : rec.imageId;
  }

  private usersOfImage(imageId: string): { id: string; running: boolean }[] {
    return (this.engine.db.prepare('SELECT id FROM containers WHERE image_id = ?').all(imageId) as { id: string }[]).map((r) => ({
      id: r.id,
      running: this.get(r.id).state === 'running',
    }));
  }

  // ---- records ----

  /** Finds a container by full ID, name (with or without '/') or unique ID prefix. */
  get(ref: string): ContainerRecord {
    const rec = this.tryGet(ref);
    if (!rec) throw new NoSuchContainerError(ref);
    return rec;
  }

  tryGet(ref: string): ContainerRecord | undefined {
    const db = this.engine.db;
    let row = db.prepare('SELECT * FROM containers WHERE id = ?').get(ref) as Row | undefined;
    row ??= db.prepare('SELECT * FROM containers WHERE name = ?').get(ref.replace(/^\//, '')) as Row | undefined;
    if (!row && /^[a-f0-9]+$/.test(ref)) {
      const rows = db.prepare('SELECT * FROM containers WHERE id >= ? AND id < ? LIMIT 2').all(ref, `${ref}g`) as Row[];
      if (rows.length > 1) throw new StrataError('invalid', `multiple IDs found with provided prefix: ${ref}`);
      row = rows[0];
    }
    return row && this.refresh(row);
  }

  /** docker's container event: the container's labels, then `image` (as the user named it) and `name`, then the action's own. */
  event(action: string, rec: Pick<ContainerRecord, 'id' | 'name' | 'image' | 'config'>, extra: Record<string, string> = {}): NewEvent {
    return { type: 'container', action, id: rec.id, attributes: { ...(rec.config.Labels ?? {}), image: rec.image, name: rec.name, ...extra } };
  }

  /** Events that change nothing in the store (attach, kill, exec …), each in its own transaction. */
  announce(action: string, ref: string, extra: Record<string, string> = {}): void {
    const rec = this.tryGet(ref);
    if (rec) this.engine.events.announce(this.event(action, rec, extra));
  }

  /** Every container, newest first (running ones only unless `all`). */
  list(options: { all?: boolean } = {}): ContainerRecord[] {
    const rows = this.engine.db.prepare('SELECT * FROM containers ORDER BY created DESC').all() as Row[];
    return rows.map((r) => this.refresh(r)).filter((r) => options.all || r.state === 'running');
  }

  /** A "running" record whose process is gone was stopped by a crash: record how it ended. */
  private refresh(row: Row): ContainerRecord {
    if (row.state === 'running' && !this.live.has(row.id) && processStart(row.monitor_pid) !== row.monitor_start) {
      let code = 137;
      try {
        code = Number(readFileSync(join(this.dirOf(row.id), 'exit'), 'utf8').trim());
      } catch {
        /* killed before it could say */
      }
      const now = Date.now();
      const exited = { ...row, state: 'exited' as const, exit_code: code, finished_at: now, sandbox_pid: 0 };
      this.reapPublished(row.id);
      this.recordExitRow(exited);
      row = exited;
    }
    return {
      id: row.id, name: row.name, imageId: row.image_id, image: row.image, config: JSON.parse(row.config) as ContainerSettings,
      created: row.created, state: row.state, exitCode: row.exit_code, startedAt: row.started_at, finishedAt: row.finished_at,
      sandboxPid: row.sandbox_pid,
    };
  }

  create(opts: CreateOptions, hostEnv: NodeJS.ProcessEnv = process.env): ContainerRecord {
    const imageId = this.engine.images.resolve(opts.image);
    const image = this.engine.images.readConfig(imageId);
    let name = opts.name;
    if (name !== undefined) {
      name = name.replace(/^\//, '');
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new StrataError('invalid', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    const id = process.getBuiltinModule('node:crypto').randomBytes(32).toString('hex');
    const userEnv: string[] = [];
    for (const f of opts.envFiles ?? []) userEnv.push(...parseEnvFile(readFileSync(f, 'utf8'), hostEnv));
    for (const e of opts.env ?? []) {
      const v = resolveEnvArg(e, hostEnv);
      if (v !== undefined) userEnv.push(v);
    }
    const settings = containerSettings(image.config ?? {}, opts, userEnv, id.slice(0, 12));
    if (containerArgs(settings).length === 0) throw new StrataError('invalid', 'No command specified');
    const dir = this.dirOf(id);
    mkdirSync(join(dir, 'upper'), { recursive: true });
    mkdirSync(join(dir, 'work'), { recursive: true });
    const insert = this.engine.db.prepare('INSERT INTO containers(id, name, image_id, image, config, created) VALUES (?, ?, ?, ?, ?, ?)');
    for (let attempt = 0; ; attempt++) {
      const n = name ?? randomName(attempt);
      try {
        this.engine.db.transaction(() => {
          // Resolved before this transaction: an `rmi` since then leaves no layers to stand on.
          if (!this.engine.db.prepare('SELECT 1 FROM images WHERE id = ?').get(imageId)) throw new StrataError('not-found', `No such image: ${opts.image}`);
          insert.run(id, n, imageId, opts.image, JSON.stringify(settings), Date.now());
          this.engine.db
            .prepare('INSERT INTO container_layers(container_id, position, diff_id, chain_id) SELECT ?, position, diff_id, chain_id FROM image_layers WHERE image_id = ?')
            .run(id, imageId);
          this.engine.events.record(this.event('create', { id, name: n, image: opts.image, config: settings }));
        }).immediate();
        break;
      } catch (err) {
        if (!/UNIQUE constraint failed: containers.name/.test((err as Error).message)) {
          rmSync(dir, { recursive: true, force: true });
          throw err;
        }
        if (name !== undefined) {
          rmSync(dir, { recursive: true, force: true });
          const other = this.get(n);
          throw new ConflictError(
            `Conflict. The container name "/${n}" is already in use by container "${other.id}". You have to remove (or rename) that container to be able to reuse that name.`,
          );
        }
        if (attempt > 10) throw err;
      }
    }
    return this.get(id);
  }

  // ---- running ----

  /**
   * Starts the container in this process and returns its handle (the terminal of the desktop
   * app and `run`/`start -a` use it). The container is recorded as running until the handle's
   * `exited` settles; a start error (command not found …) keeps it "Created", with the exit code.
   */
  async start(ref: string, options: { size?: { cols: number; rows: number } } = {}): Promise<ContainerProcess> {
    const rec = this.get(ref);
    if (rec.state === 'running') throw new ConflictError(`container ${rec.name} is already running`);
    const { sandboxUnavailable, RootfsView, resolveUser, startProcess } = await runtime();
    const why = sandboxUnavailable();
    if (why) throw new StrataError('unsupported', `cannot start container: ${why}`);
    const lowerDirs = await this.lowerDirsOf(rec);
    const upperDir = this.upperDir(rec.id);
    const s = rec.config;
    const view = new RootfsView(lowerDirs, upperDir);
    const forwards = await this.allocate(rec);
    let proc: SandboxProcess;
    try {
      const home = resolveUser(view, s.User || undefined).home;
      proc = await startProcess({
        lowerDirs, upperDir, workDir: join(this.dirOf(rec.id), 'work'), network: s.Network, held: forwards.length > 0,
        process: { args: containerArgs(s), env: processEnv(s, home), cwd: s.WorkingDir || '/', ...(s.User ? { user: s.User } : {}), tty: s.Tty, hostname: s.Hostname },
        ...(options.size ? { size: options.size } : {}),
      });
    } catch (err) {
      if (err instanceof ExecError) this.engine.db.prepare('UPDATE containers SET exit_code = ? WHERE id = ?').run(err.exitCode, rec.id);
      throw err;
    }
    let forwarder: PortForwarder | undefined;
    try {
      forwarder = await this.publish(rec, proc, forwards);
    } catch (err) {
      // docker leaves a container whose ports cannot be bound "Created"; its command never ran.
      proc.kill('SIGKILL');
      await proc.exited.catch(() => {});
      throw err;
    }
    rmSync(join(this.dirOf(rec.id), 'exit'), { force: true });
    const startedAt = Date.now();
    this.engine.db.transaction(() => {
      this.engine.db
        .prepare("UPDATE containers SET state = 'running', started_at = ?, finished_at = 0, exit_code = 0, monitor_pid = ?, monitor_start = ?, sandbox_pid = ? WHERE id = ?")
        .run(startedAt, process.pid, processStart(process.pid) ?? '', proc.pid, rec.id);
      this.engine.events.record(this.event('start', rec));
    }).immediate();
    const log = join(this.dirOf(rec.id), 'container.log');
    proc.onData((data, stream) => {
      const line = JSON.stringify({ log: data.toString('utf8'), stream, time: new Date().toISOString() });
      appendFileSync(log, `${line}\n`);
    });
    // The port helper goes before the exit is recorded: a stopped container has none left.
    const exited = proc.exited.then(async (r) => {
      await this.unpublish(rec.id, forwarder);
      this.recordExit(rec.id, r.exitCode);
      return r;
    }, async (err: Error) => {
      await this.unpublish(rec.id, forwarder);
      this.recordExit(rec.id, 125);
      throw err;
    }).finally(() => this.live.delete(rec.id));
    const handle: ContainerProcess = withOnExit({
      id: rec.id,
      write: (d) => proc.write(d),
      end: () => proc.end(),
      resize: (c, r) => proc.resize(c, r),
      onData: (fn) => proc.onData(fn),
      exited,
      kill: (sig) => proc.kill(sig),
    });
    this.live.set(rec.id, handle);
    proc.release?.(); // its network is ready: the command runs
    return handle;
  }

  // ---- published ports ----

  private portsFile(id: string): string {
    return join(this.dirOf(id), 'ports.json');
  }

  private readPublished(id: string): PublishedPorts | undefined {
    try {
      return JSON.parse(readFileSync(this.portsFile(id), 'utf8')) as PublishedPorts;
    } catch {
      return undefined;
    }
  }

  /**
   * The host ports a container will publish, chosen before it starts (docker's errors for a port
   * another container or process holds). `--network host` publishes nothing: it is the host's stack.
   */
  private async allocate(rec: ContainerRecord): Promise<Forward[]> {
    const s = rec.config;
    if (s.Network === 'host') return [];
    const requested = requestedBindings(s.ExposedPorts, s.PortBindings, s.PublishAllPorts ?? false);
    if (Object.keys(requested).length === 0) return [];
    // Loaded here: the port driver (net, dgram, child processes) is for containers that publish ports.
    const { allocatePorts, portDriverUnavailable } = await import('../network/port-forwarder.ts');
    const why = portDriverUnavailable();
    if (why) throw new StrataError('unsupported', why);
    const taken = this.list().filter((c) => c.id !== rec.id).flatMap((c) => this.readPublished(c.id)?.forwards ?? []);
    return allocatePorts({ name: rec.name, id: rec.id }, requested, taken);
  }

  /**
   * Attaches the user-mode network to the container's network namespace (its main process, held
   * before its command until `release`) and records what it bound.
   */
  private async publish(rec: ContainerRecord, proc: SandboxProcess, forwards: Forward[]): Promise<PortForwarder | undefined> {
    if (forwards.length === 0) return undefined;
    let gone = false;
    void proc.exited.then(() => (gone = true), () => (gone = true));
    const deadline = Date.now() + 10_000;
    let main = this.mainPid(proc.pid);
    while (main === undefined && !gone) {
      if (Date.now() > deadline) throw new StrataError('deadline-exceeded', 'cannot publish ports: the container did not start within 10s');
      await new Promise((r) => setTimeout(r, 20));
      main = this.mainPid(proc.pid);
    }
    if (main === undefined) return undefined;
    const { startPortForwarder } = await import('../network/port-forwarder.ts');
    const forwarder = await startPortForwarder({ name: rec.name, id: rec.id }, main, forwards, this.dirOf(rec.id));
    const record: PublishedPorts = { driver: forwarder.driver, pid: forwarder.pid, start: processStart(forwarder.pid) ?? '', forwards, ports: forwarder.ports };
    writeFileSync(this.portsFile(rec.id), JSON.stringify(record));
    return forwarder;
  }

  private async unpublish(id: string, forwarder: PortForwarder | undefined): Promise<void> {
    if (forwarder) await forwarder.stop();
    rmSync(this.portsFile(id), { force: true });
  }

  /** The port helper of a container whose runner died (the kernel normally ends it with the runner). */
  private reapPublished(id: string): void {
    const p = this.readPublished(id);
    if (!p) return;
    if (p.start !== '' && processStart(p.pid) === p.start) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
    }
    rmSync(this.portsFile(id), { force: true });
  }

  /**
   * NetworkSettings.Ports: while the container runs, each exposed port (`null` when not
   * published) and the host addresses and ports really bound; empty when it does not run.
   */
  ports(ref: string | ContainerRecord): PortMap {
    const rec = typeof ref === 'string' ? this.get(ref) : ref;
    if (rec.state !== 'running') return {};
    return networkPorts(rec.config.ExposedPorts, this.readPublished(rec.id)?.ports ?? {});
  }

  private recordExit(id: string, code: number): void {
    try {
      writeFileSync(join(this.dirOf(id), 'exit'), String(code));
    } catch {
      /* removed meanwhile */
    }
    const row = this.engine.db.prepare('SELECT * FROM containers WHERE id = ?').get(id) as Row | undefined;
    if (row) this.recordExitRow({ ...row, state: 'exited', exit_code: code, finished_at: Date.now(), sandbox_pid: 0 });
  }

  /** Records how a running container ended, once (whoever notices first), with docker's `die` event. */
  private recordExitRow(row: Row): void {
    this.engine.db.transaction(() => {
      const changed = this.engine.db
        .prepare("UPDATE containers SET state = 'exited', exit_code = ?, finished_at = ?, sandbox_pid = 0 WHERE id = ? AND state = 'running'")
        .run(row.exit_code, row.finished_at, row.id).changes;
      if (changed === 0) return;
      const rec = { id: row.id, name: row.name, image: row.image, config: JSON.parse(row.config) as ContainerSettings };
      const seconds = Math.max(0, Math.trunc((row.finished_at - row.started_at) / 1000));
      this.engine.events.record(this.event('die', rec, { exitCode: String(row.exit_code), execDuration: String(seconds) }));
    }).immediate();
  }

  /** The handle of a container this process runs (for the desktop terminal). */
  attach(ref: string): ContainerProcess | undefined {
    return this.live.get(this.get(ref).id);
  }

  /**
   * Starts the container in a detached monitor process that outlives the caller (`run -d`,
   * `start`); resolves once it runs, or rejects with the start error.
   */
  async startDetached(ref: string): Promise<void> {
    const rec = this.get(ref);
    if (rec.state === 'running') return;
    const monitor = monitorCommand(this.engine.root, rec.id);
    const child = process.getBuiltinModule('node:child_process').spawn(monitor.command, monitor.args, { env: monitor.env, detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const first = await new Promise<string>((resolve) => {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
      });
      child.on('exit', (code) => resolve(buf || `error 125 monitor exited with code ${code}`));
    });
    child.stdout!.destroy();
    child.unref();
    if (first === 'ok') return;
    const failed = /^fail ([a-z-]+) ([\s\S]*)$/.exec(first);
    if (failed) throw new StrataError(isErrorCode(failed[1]) ? failed[1] : 'internal', failed[2]!);
    const m = /^error (\d+) ([\s\S]*)$/.exec(first);
    throw new ExecError(m ? m[2]! : first, m ? Number(m[1]) : 125);
  }

  /**
   * The container's main process (pid 1 inside): the child bwrap made in the new pid namespace
   * (bwrap runs `--as-pid-1`). While the sandbox is still being set up (overlay mount), there is
   * none yet.
   */
  private mainPid(sandboxPid: number): number | undefined {
    try {
      if (readFileSync(`/proc/${sandboxPid}/comm`, 'utf8').trim() !== 'bwrap') return undefined;
      const outerNs = readlinkSync(`/proc/${sandboxPid}/ns/pid`);
      const children = readFileSync(`/proc/${sandboxPid}/task/${sandboxPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      return children.find((c) => {
        try {
          return readlinkSync(`/proc/${c}/ns/pid`) !== outerNs;
        } catch {
          return false;
        }
      });
    } catch {
      return undefined;
    }
  }

  /** Waits (briefly) for the main process of a container that is starting. */
  private async waitMainPid(id: string, timeoutMs = 5000): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rec = this.get(id);
      if (rec.state !== 'running') return undefined;
      const pid = this.mainPid(rec.sandboxPid);
      if (pid !== undefined || Date.now() > deadline) return pid;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends a signal to the container's main process (SIGKILL: to the whole sandbox). */
  async kill(ref: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<ContainerRecord> {
    const rec = this.get(ref);
    if (rec.state !== 'running') throw new ConflictError(`Cannot kill container: ${ref}: container ${rec.id} is not running`);
    const main = signal === 'SIGKILL' ? undefined : await this.waitMainPid(rec.id);
    this.engine.events.announce(this.event('kill', rec, { signal: String(constants.signals[signal] ?? signal) }));
    try {
      if (main) process.kill(main, signal);
      else process.kill(-rec.sandboxPid, signal);
    } catch {
      /* already gone */
    }
    return rec;
  }

  /** docker stop: the stop signal, then SIGKILL after `timeout` seconds; resolves once it exited. */
  async stop(ref: string, timeoutSeconds = 10): Promise<ContainerRecord> {
    const rec = this.get(ref);
    if (rec.state !== 'running') return rec;
    await this.kill(rec.id, (rec.config.StopSignal as NodeJS.Signals | undefined) ?? 'SIGTERM');
    if (!(await this.waitExit(rec.id, timeoutSeconds * 1000))) {
      if (this.get(rec.id).state === 'running') await this.kill(rec.id, 'SIGKILL');
      await this.waitExit(rec.id, 10_000);
    }
    this.engine.events.announce(this.event('stop', rec));
    return this.get(rec.id);
  }

  /** Polls until the container is no longer running; false on timeout. */
  async waitExit(id: string, timeoutMs: number): Promise<boolean> {
    const live = this.live.get(id);
    const deadline = Date.now() + timeoutMs;
    if (live) {
      const timer = new Promise<false>((r) => setTimeout(() => r(false), timeoutMs).unref());
      return Promise.race([live.exited.then(() => true, () => true), timer]);
    }
    while (Date.now() < deadline) {
      if (this.get(id).state !== 'running') return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.get(id).state !== 'running';
  }

  /** `rm`: refuses a running container unless forced (then kills it first). */
  async remove(ref: string, options: { force?: boolean } = {}): Promise<void> {
    const rec = this.get(ref);
    if (rec.state === 'running') {
      if (!options.force) {
        throw new ConflictError(`cannot remove container "/${rec.name}": container is running: stop the container before removing or force remove`);
      }
      await this.kill(rec.id, 'SIGKILL');
      await this.waitExit(rec.id, 10_000);
    }
    this.reapPublished(rec.id);
    this.engine.db.transaction(() => {
      this.engine.db.prepare('DELETE FROM containers WHERE id = ?').run(rec.id);
      this.engine.events.record(this.event('destroy', rec));
    }).immediate();
    (await runtime()).removeTree(this.dirOf(rec.id));
    rmSync(`${this.upperDir(rec.id)}.opaque`, { force: true });
  }

  /** `container prune`: removes every container that is not running; returns their IDs and freed bytes. */
  async prune(): Promise<{ deleted: string[]; reclaimed: number }> {
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const c of this.prunable()) {
      reclaimed += c.sizeRw;
      await this.remove(c.id);
      deleted.push(c.id);
    }
    this.engine.events.announce({ type: 'container', action: 'prune', id: '', attributes: { reclaimed: String(reclaimed) } });
    return { deleted, reclaimed };
  }

  /** What `prune` would remove: every container not running, with its writable layer's size. */
  prunable(): { id: string; sizeRw: number }[] {
    return this.list({ all: true }).filter((c) => c.state !== 'running').map((c) => ({ id: c.id, sizeRw: this.sizeRw(c.id) }));
  }

  /** Runs another process in a running container (`exec`). */
  async exec(ref: string, spec: { args: string[]; env?: string[]; user?: string; workdir?: string; tty?: boolean; size?: { cols: number; rows: number } }): Promise<ContainerProcess> {
    const rec = this.get(ref);
    if (rec.state !== 'running') throw new ConflictError(`container ${rec.id} is not running`);
    const init = await this.waitMainPid(rec.id);
    if (!init) throw new ConflictError(`container ${rec.id} is not running`);
    const { RootfsView, resolveUser, execInContainer } = await runtime();
    const lowerDirs = await this.lowerDirsOf(rec);
    const view = new RootfsView(lowerDirs, this.upperDir(rec.id));
    const user = resolveUser(view, spec.user ?? (rec.config.User || undefined));
    const env = processEnv({ ...rec.config, Tty: spec.tty ?? false, Env: [...(rec.config.Env ?? []), ...(spec.env ?? [])] }, user.home);
    // docker names the command in the action itself: `exec_start: sh -c date`.
    const execID = process.getBuiltinModule('node:crypto').randomBytes(32).toString('hex');
    const command = spec.args.join(' ');
    this.engine.events.announce(this.event(`exec_create: ${command}`, rec, { execID }));
    const proc = await execInContainer({ sandboxPid: this.get(rec.id).sandboxPid, initPid: init, upperDir: this.upperDir(rec.id), view, args: spec.args, env, cwd: spec.workdir ?? (rec.config.WorkingDir || '/'), user, tty: spec.tty ?? false, ...(spec.size ? { size: spec.size } : {}) });
    this.engine.events.announce(this.event(`exec_start: ${command}`, rec, { execID }));
    const exited = proc.exited.then((r) => {
      if (this.engine.db.open) this.engine.events.announce(this.event('exec_die', rec, { execID, exitCode: String(r.exitCode) }));
      return r;
    });
    return withOnExit({ id: rec.id, write: (d) => proc.write(d), end: () => proc.end(), resize: (c, r) => proc.resize(c, r), onData: (fn) => proc.onData(fn), exited, kill: (s) => proc.kill(s) });
  }

  // ---- filesystem ----

  /** The container's filesystem without running anything (Files tab, diff, export). */
  async rootfs(ref: string): Promise<RootfsView> {
    const rec = this.get(ref);
    const { RootfsView } = await runtime();
    return new RootfsView(await this.lowerDirsOf(rec), this.upperDir(rec.id));
  }

  async lowerDirs(ref: string): Promise<string[]> {
    return this.lowerDirsOf(this.get(ref));
  }

  async changes(ref: string): Promise<Change[]> {
    const rec = this.get(ref);
    const { detectOpaqueDirs, changes } = await runtime();
    const lowerDirs = await this.lowerDirsOf(rec);
    // A running process may have replaced directories since the last look: refresh that record.
    if (rec.state === 'running') await detectOpaqueDirs(lowerDirs, this.upperDir(rec.id)).catch(() => {});
    return changes(lowerDirs, this.upperDir(rec.id));
  }

  /** The container's output as recorded, line by line, in order. */
  logs(ref: string): { stream: 'stdout' | 'stderr'; text: string; time: string }[] {
    const rec = this.get(ref);
    let text = '';
    try {
      text = readFileSync(join(this.dirOf(rec.id), 'container.log'), 'utf8');
    } catch {
      return [];
    }
    // One entry per line of output (docker's json-file granularity), whatever the chunks were.
    const out: { stream: 'stdout' | 'stderr'; text: string; time: string }[] = [];
    for (const l of text.split('\n')) {
      if (!l) continue;
      const j = JSON.parse(l) as { log: string; stream: 'stdout' | 'stderr'; time: string };
      for (const line of j.log.match(/[^\n]*\n|[^\n]+$/g) ?? []) out.push({ stream: j.stream, text: line, time: j.time });
    }
    return out;
  }

  /** docker's size of the layers under a container (SizeRootFs less SizeRw), its image deleted or not. */
  layersSize(id: string): number {
    return uniqueLayerSize(
      this.engine.db
        .prepare('SELECT cl.diff_id AS diffId, l.diff_size AS diffSize FROM container_layers cl JOIN layers l ON l.diff_id = cl.diff_id WHERE cl.container_id = ?')
        .all(id) as { diffId: string; diffSize: number }[],
    );
  }

  /** Bytes in a container's writable layer, counted as docker counts SizeRw (usage/directory-size.ts). */
  sizeRw(id: string): number {
    return directorySize(this.upperDir(id));
  }

  private diskUsage(): DiskUsageContainer[] {
    return this.list({ all: true }).map((c) => {
      const sizeRw = this.sizeRw(c.id);
      return {
        id: c.id, names: [`/${c.name}`], image: this.listedImage(c), imageId: c.imageId, command: listedCommand(c.config), created: Math.floor(c.created / 1000),
        state: c.state, status: statusText(c, Date.now()), sizeRw, sizeRootFs: sizeRw + this.layersSize(c.id),
        labels: c.config.Labels ?? {}, network: c.config.Network, ports: portSummaries(this.ports(c)),
      };
    });
  }

  exists(id: string): boolean {
    return existsSync(this.dirOf(id));
  }
}

/** docker's STATUS column: "Created", "Up 3 weeks", "Exited (0) 3 seconds ago" (go-units HumanDuration). */
export function statusText(c: ContainerRecord, now: number): string {
  if (c.state === 'running') return `Up ${humanDuration(now - c.startedAt)}`;
  if (c.state === 'exited') return `Exited (${c.exitCode}) ${humanDuration(now - c.finishedAt)} ago`;
  return 'Created';
}

