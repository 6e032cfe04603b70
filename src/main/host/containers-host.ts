/**
 * The containers view's side of the contract over the engine's ContainerService: list, create,
 * a terminal attached through the pty, the Files tab (the container's filesystem seen through
 * its writable layer, with docker diff's A/C/D marks), diff and commit.
 */
import type { Engine } from '../engine/engine.ts';
import { statusText, type ContainerProcess } from '../engine/container/container-service.ts';
import { containerArgs } from '../engine/container/config.ts';
import { commitContainer } from '../engine/container/commit.ts';
import type { ContainerChange, ContainerFile, ContainerSummary, ParamsOf, StreamParams } from '../../shared/contract.ts';
import { RESIZE_PREFIX } from '../../shared/contract.ts';
import { StrataError } from '../../shared/errors.ts';
import { displayablePorts, parsePublishSpecs, portSummaries } from '../engine/network/ports.ts';
import type { StreamContext } from './stream-context.ts';

const MAX_VIEW_BYTES = 1 << 20;

export function listContainers(engine: Engine, all: boolean): ContainerSummary[] {
  const now = Date.now();
  return engine.containers.list({ all }).map((c) => ({
    id: c.id, names: [c.name], image: c.image, imageId: c.imageId, command: containerArgs(c.config).join(' '),
    created: Math.floor(c.created / 1000), state: c.state, status: statusText(c, now),
    startedAt: Math.floor(c.startedAt / 1000), finishedAt: Math.floor(c.finishedAt / 1000), exitCode: c.exitCode,
    attached: c.state === 'running' && engine.containers.attach(c.id) !== undefined, sizeRw: engine.containers.sizeRw(c.id),
    ports: displayablePorts(portSummaries(engine.containers.ports(c))),
  }));
}

export function createContainer(engine: Engine, p: ParamsOf<'containers.create'>): { id: string } {
  const rec = engine.containers.create({
    image: p.image,
    ...(p.name ? { name: p.name } : {}),
    ...(p.command.length ? { cmd: p.command } : {}),
    // Only KEY=VALUE: a bare KEY would read the host's environment, which the UI never means.
    env: p.env.filter((e) => e.indexOf('=') > 0),
    // `-p` specs as docker reads them; a bad one is refused with docker's words.
    ...(p.ports && p.ports.length > 0 ? { portBindings: parsePublishSpecs(p.ports) } : {}),
    tty: true,
    openStdin: true,
  });
  return { id: rec.id };
}

/** The pty size a container starts with before its terminal attaches and sends the view's size. */
const START_SIZE = { cols: 120, rows: 30 };

/** Starts a container in this process, the way `docker start` does: only on an explicit request. */
export async function startContainer(engine: Engine, id: string): Promise<void> {
  await engine.containers.start(id, { size: START_SIZE });
}

export async function restartContainer(engine: Engine, id: string): Promise<void> {
  await engine.containers.stop(id);
  await engine.containers.start(id, { size: START_SIZE });
}

/**
 * A terminal on the container's process: attaches to a container this host runs. Opening a
 * terminal never starts a container (Start is an explicit action). Cancelling detaches; the
 * container keeps running.
 */
export async function terminal(engine: Engine, p: StreamParams<'containers.terminal'>, ctx: StreamContext<{ data: string }>): Promise<{ exitCode: number }> {
  const rec = engine.containers.get(p.id);
  if (p.mode === 'exec') return shell(engine, rec.id, p, ctx);
  const proc = engine.containers.attach(rec.id);
  if (!proc) {
    if (rec.state === 'running') throw new StrataError('conflict', `container ${rec.name} runs in another process: its terminal is there`);
    throw new StrataError('conflict', `container ${rec.name} is not running: start it first`);
  }
  engine.containers.announce('attach', rec.id);
  // Cancelling detaches; the container keeps running.
  return connect(proc, p, ctx, () => undefined);
}

/** `exec -it ID sh`: a shell beside the container's own process, wherever it was started; closing the view hangs it up. */
async function shell(engine: Engine, id: string, p: StreamParams<'containers.terminal'>, ctx: StreamContext<{ data: string }>): Promise<{ exitCode: number }> {
  const proc = await engine.containers.exec(id, { args: ['sh'], tty: true, size: { cols: p.cols, rows: p.rows } });
  return connect(proc, p, ctx, () => proc.kill('SIGHUP'));
}

/** Wires a process with a pty to the view: output out, keystrokes and resizes in, until it exits or the view goes. */
function connect(proc: ContainerProcess, p: StreamParams<'containers.terminal'>, ctx: StreamContext<{ data: string }>, onDetach: () => void): Promise<{ exitCode: number }> {
  proc.resize(p.cols, p.rows);
  const live = proc;
  let attached = true;
  live.onData((d) => {
    if (attached) ctx.emit({ data: d.toString('utf8') });
  });
  ctx.onInput((data) => {
    if (data.startsWith(RESIZE_PREFIX)) {
      const [cols, rows] = data.slice(RESIZE_PREFIX.length).split('x').map(Number);
      if (cols && rows && cols < 1000 && rows < 1000) live.resize(cols, rows);
    } else live.write(data);
  });
  const detached = new Promise<{ exitCode: number }>((resolve) =>
    ctx.signal.addEventListener('abort', () => {
      attached = false;
      onDetach();
      resolve({ exitCode: -1 });
    }, { once: true }),
  );
  return Promise.race([live.exited.then((r) => ({ exitCode: r.exitCode })), detached]);
}

export async function listFiles(engine: Engine, id: string, dir: string): Promise<ContainerFile[]> {
  const view = await engine.containers.rootfs(id);
  const marks = new Map((await engine.containers.changes(id)).map((c) => [c.path, c.kind]));
  const base = dir === '' || dir === '/' ? '/' : `/${dir.replace(/^\/+|\/+$/g, '')}`;
  return view.list(base).map((e) => {
    const path = base === '/' ? `/${e.name}` : `${base}/${e.name}`;
    const mark = marks.get(path);
    return { path, type: e.type, size: e.size, ...(mark ? { change: mark } : {}) };
  }).sort((a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.path.localeCompare(b.path));
}

/**
 * The Files tab's text view: at most MAX_VIEW_BYTES read through the opened file's descriptor (a
 * file the container grows meanwhile is never read whole); larger files and non-text show as binary.
 */
export async function readFile(engine: Engine, id: string, path: string): Promise<{ text: string; binary: boolean }> {
  const view = await engine.containers.rootfs(id);
  const st = view.stat(path);
  if (!st) throw new StrataError('not-found', `no such file or directory: ${path}`);
  if (st.type === 'dir') throw new StrataError('invalid', `is a directory: ${path}`);
  const { data, size } = view.readBytes(path, MAX_VIEW_BYTES);
  if (size > MAX_VIEW_BYTES) return { text: '', binary: true };
  const text = data.toString('utf8');
  // Not text when it has NULs or did not decode cleanly.
  const binary = text.includes('\u0000') || text.includes('\ufffd');
  return { text: binary ? '' : text, binary };
}

export async function writeFile(engine: Engine, id: string, path: string, text: string): Promise<void> {
  const view = await engine.containers.rootfs(id);
  view.write(path, text);
  engine.bus.emit({ kind: 'container', action: 'changed', id: engine.containers.get(id).id });
}

export async function diff(engine: Engine, id: string): Promise<ContainerChange[]> {
  return (await engine.containers.changes(id)).map((c) => ({ kind: c.kind, path: c.path }));
}

export async function commit(engine: Engine, p: ParamsOf<'containers.commit'>): Promise<{ id: string }> {
  const img = await commitContainer(engine, p.id, {
    ...(p.repository ? { reference: p.repository } : {}),
    ...(p.message ? { message: p.message } : {}),
    ...(p.author ? { author: p.author } : {}),
    changes: p.changes.filter((c) => c.trim() !== ''),
  });
  return { id: img.id };
}

/**
 * docker logs [-f]: the recorded lines, then, when following a container this host runs, its
 * output as it comes until it exits or the view stops listening.
 */
export async function logs(engine: Engine, p: StreamParams<'containers.logs'>, ctx: StreamContext<{ data: string }>): Promise<null> {
  // Reading the file and subscribing happen in one synchronous turn: no output falls between them.
  for (const l of engine.containers.logs(p.id)) ctx.emit({ data: l.text });
  const live = p.follow ? engine.containers.attach(p.id) : undefined;
  live?.onData((d) => {
    if (!ctx.signal.aborted) ctx.emit({ data: d.toString('utf8') });
  });
  if (!live) return null;
  await Promise.race([live.exited.catch(() => undefined), new Promise((r) => ctx.signal.addEventListener('abort', r, { once: true }))]);
  return null;
}

export function inspectContainer(engine: Engine, id: string): unknown {
  const c = engine.containers.get(id);
  return {
    Id: c.id, Name: `/${c.name}`, Image: c.imageId, Created: new Date(c.created).toISOString(),
    State: {
      Status: c.state, Running: c.state === 'running', ExitCode: c.exitCode,
      StartedAt: c.startedAt ? new Date(c.startedAt).toISOString() : '0001-01-01T00:00:00Z',
      FinishedAt: c.finishedAt ? new Date(c.finishedAt).toISOString() : '0001-01-01T00:00:00Z',
    },
    Config: { ...c.config, Image: c.image },
    SizeRw: engine.containers.sizeRw(c.id),
  };
}
