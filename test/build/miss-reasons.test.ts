/**
 * Every cache miss carries a machine-readable cause (api.ts BuildMissCause) next to the CLI's
 * English line, and the English line is exactly what the cause formats to. Real builds on a
 * temporary store with a busybox base, one scenario per cause code.
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import type { BuildMissCode, BuildMissReason } from '../../src/main/engine/api.ts';
import type { BuildEvent, BuildOptions } from '../../src/main/engine/build/builder.ts';
import { missCauseText, missReasonText } from '../../src/main/engine/build/cache.ts';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { buildWithEvents, storeBusybox } from './helpers.ts';

const tmp = tempDir('strata-miss-');
const unavailable = busyboxMissing();
let engine: Engine;

beforeAll(async () => {
  engine = Engine.open({ root: join(tmp.path, 'root') });
  if (!unavailable) await storeBusybox(engine, tmp.path);
});
afterAll(() => {
  engine.close();
  tmp.cleanup();
});

function context(name: string, dockerfile: string, files: Record<string, string> = {}): string {
  const dir = join(tmp.path, 'ctx', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}

type Miss = Extract<BuildEvent, { type: 'miss' }>;

/** Builds and returns the misses, checking each English line is its cause's text. */
async function misses(opts: BuildOptions): Promise<Miss[]> {
  const { events } = await buildWithEvents(engine, opts);
  const out = events.filter((e): e is Miss => e.type === 'miss');
  for (const m of out) {
    expect(m.reason).toBe(missReasonText(m.cause));
    expect(m.reason).toBe(`${m.cause.instruction}: ${missCauseText(m.cause)}`);
  }
  return out;
}

function sha256(s: string): string {
  return `sha256:${createHash('sha256').update(s).digest('hex')}`;
}

function causes(ms: Miss[]): BuildMissReason[] {
  return ms.map((m) => m.cause);
}

const seen = new Set<BuildMissCode>();
function saw(ms: Miss[]): Miss[] {
  for (const m of ms) seen.add(m.cause.code);
  return ms;
}

describe('structured cache miss reasons', () => {
  it('first-build, then files-changed with both digests, then parent-missed for every later step', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const dir = context('files', 'FROM busybox\nWORKDIR /web\nCOPY app.js .\nLABEL stage=app\nCMD ["sh"]\n', { 'app.js': 'v1\n' });
    const first = saw(await misses({ context: dir }));
    expect(first[0]!.cause).toEqual({ code: 'first-build', instruction: 'WORKDIR' });
    expect(first[0]!.reason).toBe('WORKDIR: not in cache (first build of this step on this parent)');
    expect(first.slice(1).map((m) => m.cause.code)).toEqual(['parent-missed', 'parent-missed', 'parent-missed']);

    writeFileSync(join(dir, 'app.js'), 'v2\n');
    const changed = saw(await misses({ context: dir }));
    expect(causes(changed)[0]).toEqual({
      code: 'files-changed', instruction: 'COPY app.js .', more: 0, files: [{ path: 'app.js', change: 'changed', from: sha256('v1\n'), to: sha256('v2\n') }],
    });
    expect(changed[0]!.reason).toMatch(/^COPY app\.js \.: app\.js changed \(sha256 [0-9a-f]{2}…→[0-9a-f]{2}…\)$/);
    expect(causes(changed).slice(1)).toEqual([
      { code: 'parent-missed', instruction: 'LABEL', step: '[3/3]' },
      { code: 'parent-missed', instruction: 'CMD', step: '[3/3]' },
    ]);
    // The step is named as the progress shows it, and the reasons of LABEL and CMD (no BuildKit
    // vertex of their own) come under the next vertex, exporting to image.
    expect(changed[1]!.reason).toBe('LABEL: parent changed because step [3/3] missed');
    expect(changed[1]!.n).toBe(changed[0]!.n + 1);
  });

  it('files-changed lists added and removed files, at most five, and counts the rest', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const files = Object.fromEntries(['a', 'b', 'c'].map((f) => [`src/${f}.txt`, f]));
    const dir = context('dir', 'FROM busybox\nCOPY src/ /src/\n', files);
    await misses({ context: dir });
    writeFileSync(join(dir, 'src', 'd.txt'), 'd');
    rmSync(join(dir, 'src', 'a.txt'));
    const [m] = saw(await misses({ context: dir }));
    expect(m!.cause).toEqual({ code: 'files-changed', instruction: 'COPY src/ /src/', more: 0, files: [{ path: 'src/d.txt', change: 'added' }, { path: 'src/a.txt', change: 'removed' }] });
    expect(m!.reason).toBe('COPY src/ /src/: src/d.txt added, src/a.txt removed');
    for (const f of ['e', 'f', 'g', 'h', 'i']) writeFileSync(join(dir, 'src', `${f}.txt`), f);
    const [many] = await misses({ context: dir });
    expect(many!.cause.code).toBe('files-changed');
    if (many!.cause.code !== 'files-changed') return;
    expect(many!.cause.files).toHaveLength(5);
    expect(many!.cause.more).toBe(0);
    expect(many!.reason).not.toContain('more');
    rmSync(join(dir, 'src'), { recursive: true });
    mkdirSync(join(dir, 'src'));
    for (const f of ['p', 'q', 'r', 's', 't', 'u', 'v']) writeFileSync(join(dir, 'src', `${f}.txt`), f);
    const [seven] = await misses({ context: dir });
    if (seven!.cause.code !== 'files-changed') throw new Error(`expected files-changed, got ${seven!.cause.code}`);
    expect(seven!.cause.files).toHaveLength(5);
    // Seven added, eight removed (b … i): five listed, ten counted.
    expect(seven!.cause.more).toBe(10);
    expect(seven!.reason).toMatch(new RegExp(`, and ${seven!.cause.more} more$`));
  });

  it('no-cache', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const dir = context('nocache', 'FROM busybox\nLABEL a=1\nLABEL b=2\n');
    await misses({ context: dir });
    const ms = saw(await misses({ context: dir, noCache: true }));
    expect(causes(ms)).toEqual([{ code: 'no-cache', instruction: 'LABEL' }, { code: 'no-cache', instruction: 'LABEL' }]);
    expect(ms[0]!.reason).toBe('LABEL: cache disabled (--no-cache)');
  });

  it('build-arg-changed names the args; instruction-changed when the text changes', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const dir = context('args', 'FROM busybox\nARG V=1 W=1\nLABEL v=$V w=$W\n');
    await misses({ context: dir });
    const byArg = saw(await misses({ context: dir, buildArgs: { V: '2', W: '3' } }));
    expect(byArg[0]!.cause).toEqual({ code: 'build-arg-changed', instruction: 'ARG', names: ['V', 'W'] });
    expect(byArg[0]!.reason).toBe('ARG: --build-arg V changed, --build-arg W changed');
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nARG V=1 W=1\nLABEL v=$V w=$W other=1\n');
    const byText = saw(await misses({ context: dir }));
    expect(causes(byText)).toEqual([{ code: 'instruction-changed', instruction: 'LABEL' }]);
    expect(byText[0]!.reason).toBe('LABEL: instruction text changed');
  });

  it('base-image-changed on FROM, then parent-missed below it', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const base = context('base', 'FROM busybox\nLABEL v=1\n');
    await misses({ context: base, tags: ['miss-base:1'] });
    const dir = context('on-base', 'FROM miss-base:1\nLABEL app=1\n');
    await misses({ context: dir });
    writeFileSync(join(base, 'Dockerfile'), 'FROM busybox\nLABEL v=2\n');
    await misses({ context: base, tags: ['miss-base:1'] });
    const ms = saw(await misses({ context: dir }));
    expect(causes(ms)).toEqual([{ code: 'base-image-changed', instruction: 'FROM' }, { code: 'parent-missed', instruction: 'LABEL', step: '[1/1]' }]);
    expect(ms[0]!.reason).toBe('FROM: base image changed since the last build');
  });

  it('source-changed when COPY --from an image that now has another ID but the same files', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const src = context('src-img', 'FROM busybox\nCOPY f.txt /f.txt\nLABEL v=1\n', { 'f.txt': 'same' });
    await misses({ context: src, tags: ['miss-src:1'] });
    const dir = context('copy-from', 'FROM busybox\nCOPY --from=miss-src:1 /f.txt /g.txt\n');
    await misses({ context: dir });
    writeFileSync(join(src, 'Dockerfile'), 'FROM busybox\nCOPY f.txt /f.txt\nLABEL v=2\n');
    await misses({ context: src, tags: ['miss-src:1'] });
    const ms = saw(await misses({ context: dir }));
    expect(causes(ms)).toEqual([{ code: 'source-changed', instruction: 'COPY --from=miss-src:1 /f.txt /g.txt' }]);
    expect(ms[0]!.reason).toBe('COPY --from=miss-src:1 /f.txt /g.txt: source stage changed');
  });

  it('content-changed when only a copied file\'s metadata changed', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const dir = context('mode', 'FROM busybox\nCOPY run.sh /run.sh\n', { 'run.sh': 'echo hi\n' });
    chmodSync(join(dir, 'run.sh'), 0o644);
    await misses({ context: dir });
    chmodSync(join(dir, 'run.sh'), 0o755);
    const ms = saw(await misses({ context: dir }));
    expect(causes(ms)).toEqual([{ code: 'content-changed', instruction: 'COPY run.sh /run.sh' }]);
    expect(ms[0]!.reason).toBe('COPY run.sh /run.sh: copied content changed');
  });

  it('not-in-cache when the same step was built here but its cached layer is gone', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const dir = context('lost', 'FROM busybox\nCOPY f.txt /f.txt\n', { 'f.txt': 'x' });
    const { result } = await buildWithEvents(engine, { context: dir });
    // A row whose layer was lost (what fsck repairs after an accident) is not a hit, and nothing else changed.
    engine.db.prepare("UPDATE build_cache SET diff_id = 'sha256:' || hex(randomblob(32)) WHERE key = ?").run(result.steps[1]!.cacheKey);
    const ms = saw(await misses({ context: dir }));
    expect(causes(ms)).toEqual([{ code: 'not-in-cache', instruction: 'COPY f.txt /f.txt' }]);
    expect(ms[0]!.reason).toBe('COPY f.txt /f.txt: not in cache');
  });

  it('covered every cause code', ({ skip }) => {
    if (unavailable) skip(unavailable);
    const all: BuildMissCode[] = [
      'first-build', 'not-in-cache', 'no-cache', 'parent-missed', 'base-image-changed', 'instruction-changed', 'build-arg-changed',
      'files-changed', 'source-changed', 'content-changed',
    ];
    expect([...seen].sort()).toEqual([...all].sort());
  });
});
