/**
 * The engine's long calls the desktop makes on an Engine API provider, beside the Provider seam:
 * build (a context tar into `/build`), pull, push (credentials as `X-Registry-Auth`, as the docker
 * CLI sends them) and a terminal (exec with a tty, or attach to the container's own process). Each
 * gives the engine's own JSON messages or a raw duplex stream; the host maps them for the views.
 */
import type { Duplex, Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { DockerJsonMessage } from '../../../shared/docker-api.ts';
import { StrataError, type ErrorCode } from '../../../shared/errors.ts';
import { engineError, jsonLines } from './provider.ts';

/** Registry credentials as the Engine API takes them (docker's AuthConfig). */
export interface EngineAuth {
  username: string;
  password: string;
  identitytoken?: string;
  serveraddress: string;
}

/**
 * An engine's failure inside a stream carries only text: its kind is read from the registry's or
 * the builder's words the engine passes on, so the view can offer a login or say the name is wrong.
 */
export function engineStreamError(message: string, fallback: ErrorCode = 'internal'): StrataError {
  const code: ErrorCode = /unauthorized|authentication required|denied|no basic auth credentials/i.test(message) ? 'unauthorized'
    : /not found|manifest unknown|does not exist|no such image/i.test(message) ? 'not-found'
      : /connection refused|no such host|i\/o timeout|dial tcp|network is unreachable/i.test(message) ? 'unavailable'
        : fallback;
  return new StrataError(code, message);
}

/** Messages until the stream ends; a stream closed by `signal` ends quietly, any other failure is the engine's error. */
async function* messages(stream: Readable, signal?: AbortSignal): AsyncIterable<DockerJsonMessage> {
  signal?.addEventListener('abort', () => stream.destroy(), { once: true });
  try {
    yield* jsonLines(stream);
  } catch (err) {
    if (signal?.aborted) throw new StrataError('canceled', 'canceled');
    throw engineError(err);
  }
  if (signal?.aborted) throw new StrataError('canceled', 'canceled');
}

async function dialed(fn: () => Promise<unknown>): Promise<Readable> {
  try {
    return (await fn()) as Readable;
  } catch (err) {
    throw engineError(err);
  }
}

export interface EngineBuildOptions {
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string>;
  target?: string;
  noCache?: boolean;
  signal?: AbortSignal;
}

/** `POST /build` with the classic builder's JSON messages (`Step 1/3 : FROM …`, ` ---> Using cache`, `aux.ID`). */
export async function* buildOnEngine(docker: Docker, context: Readable, o: EngineBuildOptions): AsyncIterable<DockerJsonMessage> {
  // `t` repeats once per tag on the query string (docker-modem writes an array that way).
  const options = {
    dockerfile: o.dockerfile, t: o.tags as unknown as string, buildargs: o.buildArgs, nocache: o.noCache ?? false, rm: true,
    ...(o.target ? { target: o.target } : {}), ...(o.signal ? { abortSignal: o.signal } : {}),
  };
  const stream = await dialed(() => docker.buildImage(context as unknown as NodeJS.ReadableStream, options));
  yield* messages(stream, o.signal);
}

/** `POST /images/create?fromImage=…`: docker pull's messages, one per layer, with progressDetail. */
export async function* pullOnEngine(docker: Docker, ref: string, auth: EngineAuth | undefined, signal?: AbortSignal): AsyncIterable<DockerJsonMessage> {
  const stream = await dialed(() => docker.createImage({ fromImage: ref, ...(auth ? { authconfig: auth } : {}), ...(signal ? { abortSignal: signal } : {}) }));
  yield* messages(stream, signal);
}

/** `POST /images/{name}/push`: the tag pushed is the reference's own (docker push pushes one tag). */
export async function* pushOnEngine(docker: Docker, ref: string, auth: EngineAuth | undefined, signal?: AbortSignal): AsyncIterable<DockerJsonMessage> {
  // docker/cli sends an empty AuthConfig when it has none: the engine refuses a push without the header.
  const authconfig = auth ?? { username: '', password: '', serveraddress: '' };
  const stream = await dialed(() => docker.getImage(ref).push({ authconfig, ...(signal ? { abortSignal: signal } : {}) } as Docker.ImagePushOptions));
  yield* messages(stream, signal);
}

/** A terminal on a running container: its byte stream, resizing, and how it ended. */
export interface EngineTerminal {
  stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
  /** The exec's exit code, or the container's for an attach (-1 when it still runs). */
  exitCode(): Promise<number>;
}

/**
 * `docker exec -it ID sh` (mode `exec`) or `docker attach ID` (mode `attach`, for a container
 * created with a tty and open stdin). Refused with the reason when the container is not running
 * or an attach would have no terminal.
 */
export async function openEngineTerminal(docker: Docker, id: string, mode: 'exec' | 'attach', size: { cols: number; rows: number }): Promise<EngineTerminal> {
  const container = docker.getContainer(id);
  let info: { Name?: string; State?: { Running?: boolean; ExitCode?: number }; Config?: { Tty?: boolean; OpenStdin?: boolean } };
  try {
    info = (await container.inspect()) as typeof info;
  } catch (err) {
    throw engineError(err);
  }
  const name = (info.Name ?? id).replace(/^\//, '');
  if (!info.State?.Running) throw new StrataError('conflict', `container ${name} is not running: start it first`);
  try {
    if (mode === 'attach') {
      if (!info.Config?.Tty || !info.Config.OpenStdin) {
        throw new StrataError('invalid', `container ${name} has no terminal to attach to (it was not created with -it): open a shell in it instead`);
      }
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
      return {
        stream,
        resize: async (cols, rows) => void (await container.resize({ w: cols, h: rows }).catch(() => undefined)),
        exitCode: async () => {
          const after = (await container.inspect().catch(() => undefined)) as typeof info | undefined;
          return after?.State?.Running === false ? (after.State.ExitCode ?? 0) : -1;
        },
      };
    }
    const exec = await container.exec({
      Cmd: ['sh'], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true,
      Env: [`COLUMNS=${size.cols}`, `LINES=${size.rows}`, 'TERM=xterm'],
    });
    const stream = await exec.start({ hijack: true, stdin: true, Tty: true });
    return {
      stream,
      resize: async (cols, rows) => void (await exec.resize({ w: cols, h: rows }).catch(() => undefined)),
      exitCode: async () => ((await exec.inspect().catch(() => undefined)) as { ExitCode?: number | null } | undefined)?.ExitCode ?? -1,
    };
  } catch (err) {
    throw engineError(err);
  }
}
