/**
 * The seeds' web-ping example: FROM, ENV, WORKDIR, COPY, CMD. History has one row per
 * instruction; changing app.js reuses every step above the COPY and explains the miss; the
 * reordered Dockerfile (CMD moved up) reuses more; the advisor says so from recorded builds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { imageHistory } from '../../src/main/engine/image/history.ts';
import { adviseOrder } from '../../src/main/engine/build/advisor.ts';
import { BuildHistory } from '../../src/main/engine/build/history-store.ts';
import type { BuildEvent, BuildResult } from '../../src/main/engine/build/builder.ts';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { buildWithEvents, storeBusybox } from './helpers.ts';

const ORIGINAL = `FROM busybox
ENV TARGET="blog.sixeyed.com" METHOD="HEAD" INTERVAL="3000"
WORKDIR /web
COPY app.js .
CMD ["node", "/web/app.js"]
`;

// The seeds' optimisation: the CMD never changes, so it moves above the COPY.
const REORDERED = `FROM busybox
CMD ["node", "/web/app.js"]
ENV TARGET="blog.sixeyed.com" METHOD="HEAD" INTERVAL="3000"
WORKDIR /web
COPY app.js .
`;

/** Instructions served from the cache (config-only ones included, which BuildKit shows no vertex for). */
function cachedSteps(result: BuildResult): number {
  return result.steps.filter((s) => s.cached).length;
}

function misses(events: BuildEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'miss' ? [e.reason] : []));
}

describe('web-ping', () => {
  const tmp = tempDir('strata-webping-');
  let engine: Engine;
  const unavailable = busyboxMissing();
  beforeAll(async () => {
    engine = Engine.open({ root: join(tmp.path, 'root') });
    if (!unavailable) await storeBusybox(engine, tmp.path);
  });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });

  function makeContext(name: string, dockerfile: string): string {
    const dir = join(tmp.path, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    writeFileSync(join(dir, 'app.js'), 'console.log("ping v1");\n');
    return dir;
  }

  it('builds with one history row per instruction and explains the miss after app.js changes', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const dir = makeContext('web-ping', ORIGINAL);
    const first = await buildWithEvents(engine, { context: dir, tags: ['web-ping'] });
    const history = imageHistory(engine, 'web-ping');
    // busybox's one row + ENV, WORKDIR, COPY, CMD.
    expect(history.map((h) => h.createdBy)).toEqual([
      'CMD ["node" "/web/app.js"]',
      'COPY app.js . # buildkit',
      'WORKDIR /web',
      'ENV TARGET=blog.sixeyed.com METHOD=HEAD INTERVAL=3000',
      '/bin/sh -c #(nop) ADD file:busybox in / ',
    ]);
    expect(history[0]!.id).toBe(first.result.imageId);
    expect(history.slice(1, 4).every((h) => h.id === '<missing>')).toBe(true);
    const config = engine.images.readConfig(first.result.imageId).config!;
    expect(config.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TARGET=blog.sixeyed.com', 'METHOD=HEAD', 'INTERVAL=3000']);
    expect(config.WorkingDir).toBe('/web');
    expect(config.Cmd).toEqual(['node', '/web/app.js']);

    // Unchanged: everything cached, and the very same image.
    const again = await buildWithEvents(engine, { context: dir, tags: ['web-ping'] });
    expect(misses(again.events)).toEqual([]);
    expect(again.result.imageId).toBe(first.result.imageId);

    writeFileSync(join(dir, 'app.js'), 'console.log("ping v2");\n');
    const changed = await buildWithEvents(engine, { context: dir, tags: ['web-ping'] });
    const steps = changed.result.steps;
    expect(steps.map((s) => s.cached)).toEqual([true, true, true, false, false]);
    const reasons = misses(changed.events);
    expect(reasons[0]).toMatch(/^COPY app\.js \.: app\.js changed \(sha256 [0-9a-f]{2}…→[0-9a-f]{2}…\)$/);
    // The step named as the progress shows it: BuildKit's [n/m] (FROM, WORKDIR, COPY count).
    expect(reasons[1]).toBe('CMD: parent changed because step [3/3] missed');
    expect(changed.result.imageId).not.toBe(first.result.imageId);
    // The recorded build keeps the same explanation for the UI.
    const recorded = new BuildHistory(engine.db).steps(changed.result.buildId);
    expect(recorded[3]!.reason).toMatch(/app\.js changed/);
    expect(recorded[3]!.selfChanged).toBe(true);
    expect(recorded[4]!.selfChanged).toBe(false);
  });

  it('the reordered Dockerfile reuses more after the same change, and the advisor suggests it', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const original = makeContext('original', ORIGINAL);
    const reordered = makeContext('reordered', REORDERED);
    await buildWithEvents(engine, { context: original });
    await buildWithEvents(engine, { context: reordered });
    let cachedOriginal = 0;
    let cachedReordered = 0;
    for (const v of ['v2', 'v3']) {
      for (const dir of [original, reordered]) writeFileSync(join(dir, 'app.js'), `console.log("ping ${v}");\n`);
      cachedOriginal = cachedSteps((await buildWithEvents(engine, { context: original })).result);
      cachedReordered = cachedSteps((await buildWithEvents(engine, { context: reordered })).result);
    }
    expect(cachedOriginal).toBe(3); // FROM, ENV, WORKDIR
    expect(cachedReordered).toBe(4); // FROM, CMD, ENV, WORKDIR
    const advice = adviseOrder(engine, { context: original, dockerfile: join(original, 'Dockerfile') });
    expect(advice.builds).toBe(3);
    expect(advice.suggestions).toHaveLength(1);
    const s = advice.suggestions[0]!;
    expect(s.line).toBe(4);
    expect(s.instruction).toBe('COPY app.js .');
    expect(s.changedBuilds).toBe(2);
    expect(s.stableBelow.map((b) => b.line)).toEqual([5]);
    expect(s.message).toContain('moving it below them would save');
    // Nothing to suggest for the reordered one: the volatile step is already last.
    expect(adviseOrder(engine, { context: reordered, dockerfile: join(reordered, 'Dockerfile') }).suggestions).toEqual([]);
  });
});
