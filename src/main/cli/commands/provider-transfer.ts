/**
 * `pull`, `push` and `build` against an Engine API provider, printed as docker 20.10's CLI prints
 * them off a terminal: the engine's progress stream through jsonmessage (jsonmessage.ts), pull's
 * reference line, build's classic output with the context sent as the docker CLI sends it
 * (engine/build/context-tar.ts).
 */
import { Transform, Writable, type Readable } from 'node:stream';
import type { CommandContext } from '../command.ts';
import { flagBool, flagString, flagStrings } from '../command.ts';
import type { Provider, RegistryAuth } from '../../providers/provider.ts';
import { familiarName, formatReference, parseReference, repositoryName, type Reference } from '../../engine/image/reference.ts';
import { DockerConfigCredentialStore } from '../../engine/registry/credentials.ts';
import { contextTar, type ContextTar } from '../../engine/build/context-tar.ts';
import { humanSize4 } from '../units.ts';
import { displayJsonMessages, StreamError } from '../jsonmessage.ts';

/** Output thrown away (`-q`) or kept for later (a quiet build prints it only when it fails). */
class Sink extends Writable {
  readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    cb();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * docker's reference parsing for pull and push: `Using default tag: latest` for a bare name. Its
 * refusals are the client's own: printed as they are, status 1 (undefined returned).
 */
function namedReference(ctx: CommandContext, all: boolean, quiet: boolean): Reference | undefined {
  let ref: Reference;
  try {
    ref = parseReference(ctx.args[0]!, { defaultTag: false });
  } catch (err) {
    ctx.stderr.write(`${(err as Error).message}\n`);
    return undefined;
  }
  if (all && (ref.tag !== undefined || ref.digest !== undefined)) {
    ctx.stderr.write("tag can't be used with --all-tags/-a\n");
    return undefined;
  }
  if (!all && ref.tag === undefined && ref.digest === undefined) {
    ref.tag = 'latest';
    if (!quiet) ctx.stdout.write('Using default tag: latest\n');
  }
  return ref;
}

/** The credentials docker's config.json keeps for the registry ({} when none, as docker sends). */
async function registryAuth(ref: Reference): Promise<RegistryAuth> {
  const found = await new DockerConfigCredentialStore().get(ref.domain);
  if (!found) return {};
  return found.identityToken ? { identitytoken: found.identityToken, serveraddress: ref.domain } : { username: found.username, password: found.password, serveraddress: ref.domain };
}

/** An error inside the stream: docker prints its text alone and exits with its status. */
function streamFailed(ctx: CommandContext, err: unknown): number {
  if (!(err instanceof StreamError)) throw err;
  ctx.stderr.write(`${err.message}\n`);
  return err.status;
}

async function pull(ctx: CommandContext, p: Provider): Promise<number> {
  const all = flagBool(ctx, 'all-tags');
  const quiet = flagBool(ctx, 'quiet');
  const ref = namedReference(ctx, all, quiet);
  if (!ref) return 1;
  const platform = flagString(ctx, 'platform');
  // The API's tag: the digest when there is one (getAPITagFromNamedRef).
  const tag = ref.digest ?? ref.tag;
  const messages = p.pullImage({ name: familiarName(repositoryName(ref)), ...(all || tag === undefined ? {} : { tag }) }, {
    auth: await registryAuth(ref), signal: ctx.signal, ...(platform ? { platform } : {}),
  });
  try {
    await displayJsonMessages(messages, quiet ? new Sink() : ctx.stdout);
  } catch (err) {
    return streamFailed(ctx, err);
  }
  ctx.stdout.write(`${formatReference(ref)}\n`);
  return 0;
}

async function push(ctx: CommandContext, p: Provider): Promise<number> {
  const all = flagBool(ctx, 'all-tags');
  const quiet = flagBool(ctx, 'quiet');
  const ref = namedReference(ctx, all, quiet);
  if (!ref) return 1;
  const messages = p.pushImage(familiarName(repositoryName(ref)), { auth: await registryAuth(ref), signal: ctx.signal, ...(ref.tag !== undefined ? { tag: ref.tag } : {}) });
  try {
    await displayJsonMessages(messages, quiet ? new Sink() : ctx.stdout);
  } catch (err) {
    return streamFailed(ctx, err);
  }
  if (quiet) ctx.stdout.write(`${formatReference(ref)}\n`);
  return 0;
}

/** `--build-arg k=v`; a bare `k` takes its value from the environment, else is sent as null (docker's ConvertKVStringsToMapWithNil). */
export function engineBuildArgs(values: readonly string[], env: NodeJS.ProcessEnv = process.env): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq >= 0) out[v.slice(0, eq)] = v.slice(eq + 1);
    else out[v] = env[v] ?? null;
  }
  return out;
}

const SENDING = 'Sending build context to Docker daemon';
/** docker's progress reader: an update every 512 kB sent, at most one per 100 ms, and the total at the end. */
const UPDATE_EVERY = 512 * 1024;
const MIN_INTERVAL_MS = 100;

/** The context as it is read, counted on `out` the way docker's CLI counts it ("Sending build context… 4.096kB"). */
function countSent(source: Readable, out: Writable): Readable {
  let sent = 0;
  let lastUpdate = 0;
  let lastShown = -Infinity;
  const show = (last: boolean): void => {
    out.write(`${SENDING} ${humanSize4(sent).padStart(8)}\r${last ? '\r\n' : ''}`);
  };
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      if (sent - lastUpdate > UPDATE_EVERY) {
        lastUpdate = sent;
        if (Date.now() - lastShown >= MIN_INTERVAL_MS) {
          lastShown = Date.now();
          show(false);
        }
      }
      cb(null, chunk);
    },
    flush(cb) {
      show(true);
      cb();
    },
  });
  source.on('error', (err) => counter.destroy(err));
  return source.pipe(counter);
}

async function build(ctx: CommandContext, p: Provider): Promise<number> {
  const quiet = flagBool(ctx, 'quiet');
  let context: ContextTar;
  try {
    context = contextTar(ctx.args[0]!, flagString(ctx, 'file'));
  } catch (err) {
    // docker prints a context it cannot prepare as the plain error
    ctx.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  // A quiet build keeps the progress and the build's output, and shows them only if it fails.
  const progress = quiet ? new Sink() : ctx.stdout;
  const output = quiet ? new Sink() : ctx.stdout;
  const target = flagString(ctx, 'target');
  const platform = flagString(ctx, 'platform');
  const messages = p.buildImage(countSent(context.stream, progress), {
    tags: flagStrings(ctx, 'tag'), dockerfile: context.dockerfile, buildArgs: engineBuildArgs(flagStrings(ctx, 'build-arg')),
    noCache: flagBool(ctx, 'no-cache'), pull: flagBool(ctx, 'pull'), quiet, network: flagString(ctx, 'network') ?? 'default', signal: ctx.signal,
    ...(target ? { target } : {}), ...(platform ? { platform } : {}),
  });
  try {
    await displayJsonMessages(messages, output);
  } catch (err) {
    if (err instanceof StreamError && quiet) ctx.stderr.write(`${(progress as Sink).text()}${(output as Sink).text()}`);
    return streamFailed(ctx, err);
  }
  if (quiet) ctx.stdout.write((output as Sink).text());
  return 0;
}

export const TRANSFER_COMMANDS: Record<string, (ctx: CommandContext, p: Provider) => Promise<number | void>> = {
  pull, push, build,
};
