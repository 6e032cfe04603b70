/**
 * `POST /build`: the context arrives as a tar, is unpacked into a private directory, built with
 * Strata's builder, and reported as the classic builder's JSON stream (`Step 1/3 : FROM …`,
 * ` ---> Using cache`, `{"aux":{"ID":…}}`, `Successfully built …`, `Successfully tagged …`),
 * with Strata's cache-miss reasons as extra lines under the step they explain.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { build, BuildError, type BuildEvent } from '../engine/build/builder.ts';
import { unpackContextArchive } from '../engine/build/context-archive.ts';
import { cleanEntryPath } from '../engine/layer/tar-safety.ts';
import { shortId } from '../../shared/format.ts';
import { familiarString, parseReference } from '../engine/image/reference.ts';
import { ApiError, boolParam } from './http.ts';
import type { Route, RouteContext } from './router.ts';

function buildArgsParam(raw: string | null): Record<string, string> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError(400, `invalid buildargs: ${raw}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((parsed ?? {}) as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The instruction as the Dockerfile spells it at `line` (1-based), continuation lines joined. */
export function instructionAt(lines: readonly string[], line: number): string | undefined {
  let text = '';
  for (let i = line - 1; i < lines.length; i++) {
    const l = lines[i]!.replace(/\s+$/, '');
    if (!l.endsWith('\\')) return (text + l).trim();
    text += `${l.slice(0, -1)} `;
  }
  return text.trim() || undefined;
}

/** Strata's build events as the classic builder's stream lines. */
function classicPrinter(send: (line: object) => void, dockerfileLines: readonly string[]): (e: BuildEvent) => void {
  const pending = new Map<number, string>();
  const step = (at: { index: number; count: number }, line: number | undefined, name: string): void => {
    const spelled = line !== undefined ? instructionAt(dockerfileLines, line) : undefined;
    send({ stream: `Step ${at.index}/${at.count} : ${spelled ?? name}\n` });
  };
  return (e) => {
    switch (e.type) {
      case 'vertex':
        // Only the Dockerfile's own steps are numbered (every instruction, as the classic builder
        // does); `[internal] …` vertices are BuildKit's.
        if (e.instruction) step(e.instruction, e.line, e.name.replace(/^\[[^\]]*\]\s*/, ''));
        break;
      case 'config':
        step(e.instruction, e.line, e.name);
        send({ stream: e.cached ? ' ---> Using cache\n' : ` ---> Cache miss: ${e.reason}\n` });
        break;
      case 'cached':
        send({ stream: ' ---> Using cache\n' });
        break;
      case 'miss':
        // A config instruction's reason was shown under its own step already.
        if (!e.carried) send({ stream: ` ---> Cache miss: ${e.reason}\n` });
        break;
      case 'log': {
        const text = (pending.get(e.n) ?? '') + e.text;
        const cut = text.lastIndexOf('\n') + 1;
        pending.set(e.n, text.slice(cut));
        if (cut > 0) send({ stream: text.slice(0, cut) });
        break;
      }
      case 'done':
        if (pending.get(e.n)) send({ stream: `${pending.get(e.n)}\n` });
        pending.delete(e.n);
        break;
      case 'warning':
        send({ stream: `[Warning] ${e.message}\n` });
        break;
      default:
        break;
    }
  };
}

async function buildRoute(ctx: RouteContext): Promise<void> {
  const q = ctx.query;
  if (q.get('remote')) throw new ApiError(400, 'remote build contexts are not supported: send the context as a tar');
  const dockerfile = cleanEntryPath(q.get('dockerfile') || 'Dockerfile');
  const quiet = boolParam(q, 'q');
  const dir = mkdtempSync(join(tmpdir(), 'strata-api-context-'));
  const send = (obj: object): void => {
    if (!ctx.res.headersSent) {
      ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
    }
    ctx.res.write(`${JSON.stringify(obj)}\n`);
  };
  try {
    await unpackContextArchive(ctx.req as Readable, join(dir, 'context'));
    let dockerfileLines: string[] = [];
    try {
      dockerfileLines = readFileSync(join(dir, 'context', dockerfile), 'utf8').split('\n');
    } catch {
      /* the builder reports a missing Dockerfile itself */
    }
    const result = await build(ctx.engine, {
      context: join(dir, 'context'),
      dockerfile: join(dir, 'context', dockerfile),
      tags: q.getAll('t'),
      buildArgs: buildArgsParam(q.get('buildargs')),
      ...(q.get('target') ? { target: q.get('target')! } : {}),
      noCache: boolParam(q, 'nocache'),
      pull: boolParam(q, 'pull'),
      signal: ctx.signal,
      ...(quiet ? {} : { onEvent: classicPrinter(send, dockerfileLines) }),
    });
    send({ aux: { ID: result.imageId } });
    if (!quiet) {
      send({ stream: `Successfully built ${shortId(result.imageId)}\n` });
      for (const t of result.tags) send({ stream: `Successfully tagged ${familiarString(parseReference(t))}\n` });
    }
    ctx.res.end();
  } catch (err) {
    // Before any output an error is an ordinary HTTP error; during the build, docker's stream error.
    if (!ctx.res.headersSent && !(err instanceof BuildError)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    send({ errorDetail: { message, ...(err instanceof BuildError && err.exitCode !== undefined ? { code: err.exitCode } : {}) }, error: message });
    ctx.res.end();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const buildRoutes: Route[] = [['POST', /^\/build$/, buildRoute]];
