/**
 * `build --progress`: docker 28's modes through the real CLI entry point — the tty view's final
 * frame, rawjson's SolveStatus lines, quiet, and auto choosing plain when stderr is no terminal.
 * (Plain against real docker: test/docker/build-progress.test.ts.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../tmp.ts';
import { strata } from '../cli/run.ts';

/** The last frame the tty view drew, without its escape codes. */
function lastFrame(stderr: string): string[] {
  const plain = stderr.replace(/\x1b\[\d*[AKJ]/g, '').replace(/\r/g, '');
  const start = plain.lastIndexOf('[+] Building');
  return plain.slice(start).split('\n').filter(Boolean);
}

describe('build --progress', () => {
  const tmp = tempDir('strata-build-progress-');
  const root = join(tmp.path, 'root');
  const ctx = join(tmp.path, 'ctx');
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nWORKDIR /app\nCOPY app.js .\nLABEL a=b\n');
  writeFileSync(join(ctx, 'app.js'), 'v1\n');
  afterAll(() => tmp.cleanup());

  it('tty: a redrawn view that ends FINISHED, each vertex on one line with its time, CACHED steps marked', async () => {
    const first = await strata(root, ['build', '--progress', 'tty', '-t', 'p:1', ctx]);
    expect(first.code, first.stderr).toBe(0);
    const again = await strata(root, ['build', '--progress', 'tty', '-t', 'p:1', ctx]);
    const frame = lastFrame(again.stderr);
    expect(frame[0]).toMatch(/^\[\+\] Building \d+\.\ds \((\d+)\/\1\) FINISHED$/);
    expect(frame[0]).toContain('(7/7)');
    const rows = frame.slice(1);
    expect(rows.filter((r) => !r.startsWith(' => => ')).map((r) => r.replace(/\s+\d+\.\ds$/, ''))).toEqual([
      ' => [internal] load build definition from Dockerfile',
      ' => [internal] load .dockerignore',
      ' => [1/3] FROM scratch',
      ' => [internal] load build context',
      ' => CACHED [2/3] WORKDIR /app',
      ' => CACHED [3/3] COPY app.js .',
      ' => exporting to image',
    ]);
    expect(rows.map((r) => r.replace(/\s+\d+\.\ds$/, ''))).toContain(' => => transferring dockerfile: 50B');
    // Longer lines are cut to the width, as BuildKit's view does.
    expect(rows.some((r) => /^ => => writing image sha256:[0-9a-f]{40,}\.\.\. 0\.0s$/.test(r))).toBe(true);
    // Times right-aligned at the terminal's width (80 when unknown).
    for (const r of rows) expect(r).toMatch(/^.{75} \d+\.\ds$/);
    // The view is drawn in place: each redraw first moves the cursor back up over the last one.
    expect(again.stderr).toMatch(/\x1b\[\d+A/);
  });

  it('tty: a miss reason stays under the step it explains', async () => {
    writeFileSync(join(ctx, 'app.js'), 'v2\n');
    const r = await strata(root, ['build', '--progress', 'tty', ctx]);
    const rows = lastFrame(r.stderr);
    const copy = rows.findIndex((l) => l.startsWith(' => [3/3] COPY app.js .'));
    expect(copy).toBeGreaterThan(0);
    expect(rows[copy + 1]).toMatch(/^ => => cache miss: COPY app\.js \.: app\.js changed \(sha256 /);
  });

  it('rawjson: one SolveStatus per line — vertexes with digests and times, statuses, logs in base64', async () => {
    writeFileSync(join(ctx, 'app.js'), 'v3\n');
    const r = await strata(root, ['build', '--progress', 'rawjson', ctx]);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as {
      vertexes?: { digest: string; name: string; started: string; completed?: string; cached?: boolean }[];
      statuses?: { id: string; vertex: string }[];
      logs?: { vertex: string; stream: number; data: string }[];
    });
    const vertexes = lines.flatMap((l) => l.vertexes ?? []);
    const names = [...new Set(vertexes.map((v) => v.name))];
    expect(names).toEqual([
      '[internal] load build definition from Dockerfile', '[internal] load .dockerignore', '[1/3] FROM scratch',
      '[internal] load build context', '[2/3] WORKDIR /app', '[3/3] COPY app.js .', 'exporting to image',
    ]);
    for (const v of vertexes) expect(v.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(vertexes.find((v) => v.name === '[2/3] WORKDIR /app' && v.completed)?.cached).toBe(true);
    const copy = vertexes.find((v) => v.name === '[3/3] COPY app.js .')!.digest;
    const log = lines.flatMap((l) => l.logs ?? []).find((l) => l.vertex === copy)!;
    expect(Buffer.from(log.data, 'base64').toString()).toMatch(/^cache miss: COPY app\.js \.: app\.js changed/);
    expect(lines.flatMap((l) => l.statuses ?? []).map((s) => s.id)).toContain('transferring dockerfile: 50B');
  });

  it('quiet prints only the image ID; auto is plain when stderr is no terminal', async () => {
    const q = await strata(root, ['build', '--progress', 'quiet', ctx]);
    expect(q).toMatchObject({ code: 0, stderr: '' });
    expect(q.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const auto = await strata(root, ['build', ctx]);
    expect(auto.stderr.startsWith('#1 [internal] load build definition from Dockerfile\n#1 transferring dockerfile: 50B done\n#1 DONE 0.0s\n\n')).toBe(true);
    const bad = await strata(root, ['build', '--progress', 'fancy', ctx]);
    expect(bad.code).toBe(125);
  });
});
