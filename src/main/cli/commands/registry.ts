import type { Command, CommandContext } from '../command.ts';
import { flagBool, flagString } from '../command.ts';
import { UsageError } from '../args.ts';
import { goDuration, humanSize4 } from '../units.ts';
import type { ProgressEvent, ProgressSink } from '../../engine/api.ts';
import { InvalidReferenceError, parseReference } from '../../engine/image/reference.ts';
import { pull, pullAllTags } from '../../engine/registry/pull.ts';
import { parseCompression, push, pushAllTags } from '../../engine/registry/push.ts';
import { login, loginRegistry, logout } from '../../engine/registry/login.ts';
import { authKey, DockerConfigCredentialStore } from '../../engine/registry/credentials.ts';
import type { RegistryOptions } from '../../engine/registry/session.ts';
import { errorCode, StrataError } from '../../../shared/errors.ts';
import { DaemonError } from '../../engine/daemon-errors.ts';

const INSECURE_FLAG = { name: 'insecure', type: 'bool', description: 'Allow plain HTTP and unverified TLS for this registry' } as const;

/**
 * docker's progress display (jsonmessage.DisplayJSONMessagesStream). On a terminal each layer
 * keeps one line that is rewritten in place (with a bar when the terminal is wider than 110
 * columns); otherwise every status is one plain line and byte counts are left out.
 */
export function progressRenderer(out: CommandContext['stdout']): ProgressSink {
  const tty = out.isTTY === true;
  let ids = new Map<string, number>();
  const starts = new Map<string, number>();
  return (e: ProgressEvent) => {
    const hasBytes = e.current !== undefined && (e.current > 0 || (e.total ?? 0) > 0);
    if (!tty) {
      if (!hasBytes) out.write(`${e.id ? `${e.id}: ` : ''}${e.status}\n`);
      return;
    }
    if (!e.id) {
      ids = new Map();
      out.write(`${e.status}\n`);
      return;
    }
    let line = ids.get(e.id);
    if (line === undefined) {
      line = ids.size;
      ids.set(e.id, line);
      out.write('\n');
    }
    const diff = ids.size - line;
    if (hasBytes && !starts.has(e.id)) starts.set(e.id, Date.now());
    const bar = hasBytes ? ` ${progressBar(e.current ?? 0, e.total ?? 0, out.columns ?? 80, starts.get(e.id)!)}` : '';
    out.write(`\x1b[${diff}A\x1b[2K\r${e.id}: ${e.status}${bar}\r\x1b[${diff}B`);
  };
}

/** jsonmessage.JSONProgress.String: `[=====>     ]  1.2MB/3.4MB 2s`. */
export function progressBar(current: number, total: number, width: number, startMs: number, now = Date.now()): string {
  if (total <= 0) return humanSize4(current).padStart(8);
  const percentage = Math.min(50, Math.trunc(Math.trunc((current / total) * 100) / 2));
  const box = width > 110 ? `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] ` : '';
  const numbers = current > total ? humanSize4(current).padStart(8) : `${humanSize4(current).padStart(8)}/${humanSize4(total)}`;
  let left = '';
  if (current > 0 && percentage < 50 && width > 50) {
    const seconds = Math.trunc((((now - startMs) / current) * (total - current)) / 1000);
    left = ` ${goDuration(seconds)}`;
  }
  return box + numbers + left;
}

/**
 * A pull is the daemon's work in docker: whatever fails once the reference is read is printed
 * `Error response from daemon: …`. A cancelled pull stays as it is.
 */
export async function asDaemon<T>(ctx: Pick<CommandContext, 'signal'>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (ctx.signal.aborted || err instanceof UsageError || err instanceof InvalidReferenceError) throw err;
    throw new DaemonError(err);
  }
}

/** `Using default tag: latest` when the user named no tag (docker prints it before pull and push). */
function noteDefaultTag(ctx: CommandContext, input: string, quiet: boolean): void {
  const bare = parseReference(input, { defaultTag: false });
  if (bare.tag === undefined && bare.digest === undefined && !quiet) ctx.stdout.write('Using default tag: latest\n');
}

/** What pull and push share: cancellation, `--insecure`, and the progress display unless `-q`. */
function transferOptions(ctx: CommandContext, quiet: boolean): RegistryOptions & { onProgress?: ProgressSink } {
  return {
    signal: ctx.signal,
    insecure: flagBool(ctx, 'insecure'),
    ...(quiet ? {} : { onProgress: progressRenderer(ctx.stdout) }),
  };
}

export const pullCommand: Command = {
  path: ['pull'],
  aliases: [['image', 'pull']],
  usage: 'strata pull [OPTIONS] NAME[:TAG|@DIGEST]',
  description: 'Download an image from a registry',
  flags: [
    { name: 'all-tags', short: 'a', type: 'bool', description: 'Download all tagged images in the repository' },
    { name: 'platform', type: 'string', value: 'string', description: 'Set platform if server is multi-platform capable' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress verbose output' },
    INSECURE_FLAG,
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const input = ctx.args[0]!;
    const quiet = flagBool(ctx, 'quiet');
    const platform = flagString(ctx, 'platform');
    const options = { ...transferOptions(ctx, quiet), ...(platform ? { platform } : {}) };
    const allTags = flagBool(ctx, 'all-tags');
    if (!allTags) noteDefaultTag(ctx, input, quiet);
    const pulled = await asDaemon(ctx, async () => (allTags ? await pullAllTags(ctx.engine(), input, options) : await pull(ctx.engine(), input, options)));
    ctx.stdout.write(`${pulled.reference}\n`);
    // The first RUN or container on the image then finds its layers unpacked.
    const { prepareInBackground } = await import('../../engine/snapshot/prepare.ts');
    prepareInBackground(ctx.engine(), 'tags' in pulled ? pulled.tags.map((t) => t.result.image.id) : [pulled.image.id]);
  },
};

export const pushCommand: Command = {
  path: ['push'],
  aliases: [['image', 'push']],
  usage: 'strata push [OPTIONS] NAME[:TAG]',
  description: 'Upload an image to a registry',
  flags: [
    { name: 'all-tags', short: 'a', type: 'bool', description: 'Push all tags of an image to the repository' },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Suppress verbose output' },
    { name: 'compression', type: 'string', description: 'Compression of layers stored uncompressed: gzip (default) or zstd (BuildKit\'s compression=)' },
    { name: 'force-compression', type: 'bool', description: 'Recompress layers already compressed another way (BuildKit\'s force-compression)' },
    INSECURE_FLAG,
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const input = ctx.args[0]!;
    const quiet = flagBool(ctx, 'quiet');
    const compression = flagString(ctx, 'compression');
    const options = {
      ...transferOptions(ctx, quiet),
      ...(compression !== undefined ? { compression: parseCompression(compression) } : {}),
      forceCompression: flagBool(ctx, 'force-compression'),
    };
    const allTags = flagBool(ctx, 'all-tags');
    if (!allTags) noteDefaultTag(ctx, input, quiet);
    let results: { reference: string }[];
    try {
      results = allTags ? await pushAllTags(ctx.engine(), input, options) : [await push(ctx.engine(), input, options)];
    } catch (err) {
      // What the client refuses itself (a reference, a flag's value) keeps `Error: …`.
      if (ctx.signal.aborted || err instanceof UsageError || errorCode(err) === 'invalid') throw err;
      // docker's daemon streams a push's failure; its CLI prints the message as it came, no prefix.
      ctx.stderr.write(`${(err as Error).message}\n`);
      return 1;
    }
    if (quiet) for (const r of results) ctx.stdout.write(`${r.reference}\n`);
  },
};

async function readStdin(ctx: CommandContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of ctx.stdin as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8').replace(/\n$/, '').replace(/\r$/, '');
}

export const loginCommand: Command = {
  path: ['login'],
  usage: 'strata login [OPTIONS] [SERVER]',
  description: 'Log in to a registry (credentials go to docker\'s config.json)',
  flags: [
    { name: 'username', short: 'u', type: 'string', value: 'string', description: 'Username' },
    { name: 'password', short: 'p', type: 'string', value: 'string', description: 'Password' },
    { name: 'password-stdin', type: 'bool', description: 'Take the password from stdin' },
    INSECURE_FLAG,
  ],
  maxArgs: 1,
  async run(ctx) {
    const username = flagString(ctx, 'username');
    let password = flagString(ctx, 'password');
    if (flagBool(ctx, 'password-stdin')) {
      if (password !== undefined) throw new UsageError('--password and --password-stdin are mutually exclusive');
      if (!username) throw new UsageError('Must provide --username with --password-stdin');
      password = await readStdin(ctx);
    } else if (password !== undefined) {
      ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    if (!username || password === undefined) throw new StrataError('invalid', 'Cannot perform an interactive login: use --username with --password-stdin');
    const registry = loginRegistry(ctx.args[0]);
    const store = new DockerConfigCredentialStore();
    await login(ctx.engine(), registry, { username, password }, { credentials: store, insecure: flagBool(ctx, 'insecure'), signal: ctx.signal });
    // docker warns only when the secret went into config.json, not into a credential helper.
    if (!store.helperFor(registry)) {
      ctx.stderr.write(
        `WARNING! Your password will be stored unencrypted in ${store.plaintextLocation}.\n` +
          'Configure a credential helper to remove this warning. See\n' +
          'https://docs.docker.com/engine/reference/commandline/login/#credentials-store\n\n',
      );
    }
    ctx.stdout.write('Login Succeeded\n');
  },
};

export const logoutCommand: Command = {
  path: ['logout'],
  usage: 'strata logout [SERVER]',
  description: 'Log out from a registry',
  flags: [],
  maxArgs: 1,
  async run(ctx) {
    const registry = loginRegistry(ctx.args[0]);
    const key = authKey(registry);
    if (await logout(ctx.engine(), registry)) ctx.stdout.write(`Removing login credentials for ${key}\n`);
    else ctx.stdout.write(`Not logged in to ${key}\n`);
  },
};
