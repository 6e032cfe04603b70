/** `strata build` / `builder prune|history|advise` end to end through the CLI entry point. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../tmp.ts';
import { strata } from '../cli/run.ts';

describe('strata build', () => {
  const tmp = tempDir('strata-build-cli-');
  const root = join(tmp.path, 'root');
  const ctx = join(tmp.path, 'ctx');
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nARG VERSION=1\nLABEL version=$VERSION\nWORKDIR /app\nCOPY app.js .\nCMD ["/app/app.js"]\n');
  writeFileSync(join(ctx, 'app.js'), 'v1\n');
  afterAll(() => tmp.cleanup());

  it('prints BuildKit-style plain progress, then names the image', async () => {
    const r = await strata(root, ['build', '-t', 'demo:1', '-t', 'demo:latest', '--build-arg', 'VERSION=2', ctx]);
    expect(r.code).toBe(0);
    // BuildKit's numbering: only FROM, WORKDIR, COPY are [n/m] steps; ARG, LABEL, CMD are no vertices.
    expect(r.stderr).toContain('#1 [internal] load build definition from Dockerfile\n#1 transferring dockerfile: 97B done\n#1 DONE 0.0s\n\n');
    expect(r.stderr).toContain('#2 [internal] load .dockerignore\n#2 transferring context: 2B done\n#2 DONE 0.0s\n\n#3 [1/3] FROM scratch\n#3 DONE 0.0s\n\n');
    expect(r.stderr).toMatch(/#5 \[2\/3\] WORKDIR \/app\n#5 cache miss: ARG: not in cache \(first build of this step on this parent\)\n#5 cache miss: LABEL: parent changed because ARG \(line 2\) missed\n#5 cache miss: WORKDIR: parent changed because ARG \(line 2\) missed\n#5 DONE \d+\.\ds\n/);
    expect(r.stderr).toMatch(/#7 writing image sha256:[0-9a-f]{64} done\n#7 naming to docker\.io\/library\/demo:1 done\n#7 naming to docker\.io\/library\/demo:latest done\n/);
    const images = await strata(root, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(images.stdout.split('\n').filter(Boolean).sort()).toEqual(['demo:1', 'demo:latest']);
  });

  it('-q prints only the image ID; --progress json prints one event per line', async () => {
    const q = await strata(root, ['build', '-q', '--build-arg', 'VERSION=2', ctx]);
    expect(q.code).toBe(0);
    expect(q.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(q.stderr).toBe('');
    writeFileSync(join(ctx, 'app.js'), 'v2\n');
    const j = await strata(root, ['build', '--progress', 'json', '--build-arg', 'VERSION=2', ctx]);
    const events = j.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; reason?: string });
    // FROM is done (not CACHED) as in BuildKit; WORKDIR is the one cached step (ARG and LABEL have no vertex).
    expect(events.filter((e) => e.type === 'cached').length).toBe(1);
    expect(events.find((e) => e.type === 'miss')?.reason).toMatch(/^COPY app\.js \.: app\.js changed \(sha256 /);
    expect(events.at(-1)!.type).toBe('result');
  });

  it('fails with a one-line error naming the Dockerfile line', async () => {
    const bad = join(tmp.path, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'Dockerfile'), 'FROM scratch\nCOPY missing.txt /\n');
    const r = await strata(root, ['build', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('ERROR: failed to solve: Dockerfile:2: failed to compute cache key: failed to calculate checksum of ref: "/missing.txt": not found');
  });

  it('lists recorded builds and advises, and builder prune -a -f empties the cache', async () => {
    const h = await strata(root, ['builder', 'history']);
    expect(h.code).toBe(0);
    expect(h.stdout.split('\n')[0]).toMatch(/^BUILD ID\s+STATUS\s+IMAGE\s+CACHED\s+TIME\s+DOCKERFILE$/);
    expect(h.stdout).toContain('failed');
    const a = await strata(root, ['builder', 'advise', ctx]);
    expect(a.code).toBe(0);
    const df = await strata(root, ['system', 'df']);
    expect(df.stdout).toMatch(/Build Cache\s+[1-9]\d*\s/);
    const p = await strata(root, ['builder', 'prune', '-a', '-f']);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('Deleted build cache objects:');
    expect(p.stdout).toMatch(/Total:\t\d/);
    const df2 = await strata(root, ['system', 'df']);
    expect(df2.stdout).toMatch(/Build Cache\s+0\s/);
  });
});
