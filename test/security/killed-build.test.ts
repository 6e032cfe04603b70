/**
 * A build killed with SIGKILL in the middle of a RUN leaves its record "running", its scratch
 * folder `build-tmp/<id>` and the sandbox's temp folder. That folder is now named after the
 * build (`strata-run-<id>…`), and `system gc` / `builder prune` mark the record failed and
 * remove both folders, because the process that owned the build is gone. A build that is still
 * running keeps them.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suiteName } from '../fixtures/skip.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { BuildHistory } from '../../src/main/engine/build/history-store.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { storeBusybox, writeContext } from '../build/helpers.ts';
import { killGroup, runStrata, securityTemp, startStrata } from './helpers.ts';

const skip = busyboxMissing() ?? sandboxUnavailable();

/** Polls until `find` returns something (or the limit passes). */
async function waitFor<T>(find: () => T | undefined, limitMs: number): Promise<T | undefined> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = find();
    if (v !== undefined || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The sandbox's temp folder of a running RUN step of a build in this store (named after the build). */
function runFolder(buildTmp: string): string | undefined {
  for (const id of existsSync(buildTmp) ? readdirSync(buildTmp) : []) {
    const scratch = readdirSync(tmpdir()).find((n) => n.startsWith(`strata-run-${id}`));
    if (scratch) return join(tmpdir(), scratch);
  }
  return undefined;
}

function records(root: string): { status: string; error: string | null }[] {
  const engine = Engine.open({ root });
  try {
    return new BuildHistory(engine.db).list().map((b) => ({ status: b.status, error: b.error }));
  } finally {
    engine.close();
  }
}

describe.skipIf(skip)(suiteName('a build killed with -9', skip), () => {
  const tmp = securityTemp('strata-sec-killed-');
  const root = join(tmp.path, 'root');
  const ctx = join(tmp.path, 'ctx');
  const groups: number[] = [];
  beforeAll(async () => {
    const engine = Engine.open({ root });
    await storeBusybox(engine, tmp.path);
    engine.close();
    writeContext(ctx, { Dockerfile: { content: 'FROM busybox\nRUN sleep 120\n' } });
  });
  afterAll(() => {
    for (const g of groups) killGroup(g);
    // Sandbox folders this test's builds left in the temp dir (the fix removes them; a failure may not).
    for (const id of existsSync(join(root, 'build-tmp')) ? readdirSync(join(root, 'build-tmp')) : []) {
      for (const n of readdirSync(tmpdir()).filter((f) => f.startsWith(`strata-run-${id}`))) rmSync(join(tmpdir(), n), { recursive: true, force: true });
    }
    tmp.cleanup();
  });

  for (const cleaner of [['system', 'gc'], ['builder', 'prune', '-f']]) {
    it(`is finished by \`strata ${cleaner.join(' ')}\`, and a live build is left alone`, async () => {
      const buildTmp = join(root, 'build-tmp');
      const started = startStrata(['--root', root, 'build', '--no-cache', ctx], { timeoutMs: 120_000 });
      groups.push(started.pgid);
      const scratch = await waitFor(() => runFolder(buildTmp), 60_000);
      expect(scratch, 'the RUN step never started a sandbox folder named after its build').toBeDefined();

      // While the build runs, cleaning keeps its record and folders.
      expect((await runStrata(['--root', root, ...cleaner])).code).toBe(0);
      expect(existsSync(scratch!)).toBe(true);
      expect(records(root)[0]!.status).toBe('running');

      killGroup(started.pgid);
      await started.result;
      expect(records(root)[0]!.status).toBe('running');

      const r = await runStrata(['--root', root, ...cleaner]);
      expect(r.code, r.stderr).toBe(0);
      expect(readdirSync(buildTmp)).toEqual([]);
      expect(existsSync(scratch!)).toBe(false);
      expect(records(root)[0]).toEqual({ status: 'failed', error: 'interrupted: the build process exited before the build finished' });
    });
  }
});
