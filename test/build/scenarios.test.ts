/**
 * Every BuildKit scenario in ../shared/conformance/buildkit-scenarios, driven through the builder.
 * Scenarios with RUN need the sandbox; without it (or busybox, or the vectors) they are skipped with the reason.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine.ts';
import { build, BuildError } from '../../src/main/engine/build/builder.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { conformanceDir, conformanceMissing } from '../paths.ts';
import { skipAllIf } from '../fixtures/skip.ts';
import { tempDir } from '../tmp.ts';
import { imageFiles, storeBusybox, writeContext } from './helpers.ts';

interface ScenarioCase {
  build_args?: Record<string, string> | null;
  expect?: string;
  expect_error_contains?: string;
  out?: string;
}

interface Scenario extends ScenarioCase {
  name: string;
  Dockerfile: string;
  context?: Record<string, { content?: string; mode?: string }>;
  cases?: ScenarioCase[];
  expect_files_in_result_rootfs?: Record<string, string>;
  expect_config?: Record<string, unknown>;
  expect_present?: Record<string, string>;
  expect_absent?: string[];
  expect_history_tail?: string[];
  expect_new_history_entries_after_base?: { created_by_contains: string; empty_layer: boolean }[];
}

const dir = join(conformanceDir, 'buildkit-scenarios');
const noData = conformanceMissing('buildkit-scenarios');
const scenarios = noData ? [] : readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Scenario);

describe('buildkit scenarios', () => {
  skipAllIf(noData);
  const tmp = tempDir('strata-scenarios-');
  let engine: Engine;
  beforeAll(async () => {
    engine = Engine.open({ root: join(tmp.path, 'root') });
    if (!noData && !busyboxMissing()) await storeBusybox(engine, tmp.path);
  });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });

  it('reads all scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(13);
  });

  for (const sc of scenarios) {
    it(sc.name, async ({ skip }) => {
      const text = sc.Dockerfile ?? sc.context?.Dockerfile?.content ?? '';
      const needsRun = /^\s*RUN\b/m.test(text);
      const needsBusybox = /FROM busy/m.test(text);
      if (needsBusybox && busyboxMissing()) skip(busyboxMissing());
      if (needsRun && sandboxUnavailable()) skip(`RUN needs the sandbox: ${sandboxUnavailable()}`);
      const cases: ScenarioCase[] = sc.cases ?? [sc];
      for (const [i, c] of cases.entries()) {
        const ctx = join(tmp.path, `${sc.name}-${i}`);
        mkdirSync(ctx, { recursive: true });
        writeContext(ctx, sc.context ?? {});
        const dockerfile = join(tmp.path, `${sc.name}-${i}.Dockerfile`);
        writeFileSync(dockerfile, sc.Dockerfile ?? sc.context?.Dockerfile?.content ?? '');
        // A Dockerfile inside the context (dockerignore cases) is what the ignore file excludes.
        const opts = { context: ctx, dockerfile: sc.context?.Dockerfile ? join(ctx, 'Dockerfile') : dockerfile, buildArgs: c.build_args ?? {}, tags: [`scenario-${sc.name}:${i}`] };
        const expectError = c.expect_error_contains ?? (c.expect?.startsWith('build error') ? '' : undefined);
        if (expectError !== undefined) {
          const err = await build(engine, opts).then(() => undefined, (e: unknown) => e);
          expect(err, `${sc.name} case ${i} should fail`).toBeInstanceOf(BuildError);
          expect((err as Error).message).toContain(expectError);
          continue;
        }
        const res = await build(engine, opts);
        const files = await imageFiles(engine, res.imageId);
        for (const [path, content] of Object.entries(sc.expect_files_in_result_rootfs ?? {})) {
          expect(files.get(path), `${sc.name}: /${path}`).toBe(content);
        }
        for (const [path, content] of Object.entries(sc.expect_present ?? {})) expect(files.get(path), `${sc.name}: /${path}`).toBe(content);
        for (const path of sc.expect_absent ?? []) expect(files.has(path), `${sc.name}: /${path} must be absent`).toBe(false);
        if (c.out !== undefined) expect(files.get('out')).toBe(c.out);
        const config = engine.images.readConfig(res.imageId);
        for (const [k, v] of Object.entries(sc.expect_config ?? {})) expect((config.config as Record<string, unknown>)[k]).toEqual(v);
        const history = config.history ?? [];
        if (sc.expect_history_tail) {
          expect(history.slice(-sc.expect_history_tail.length).map((h) => h.created_by)).toEqual(sc.expect_history_tail);
        }
        if (sc.expect_new_history_entries_after_base) {
          const tail = history.slice(-sc.expect_new_history_entries_after_base.length);
          sc.expect_new_history_entries_after_base.forEach((want, k) => {
            expect(tail[k]!.created_by).toContain(want.created_by_contains);
            expect(tail[k]!.empty_layer ?? false).toBe(want.empty_layer);
            expect(tail[k]!.comment).toBe('buildkit.dockerfile.v0');
          });
          // Only the final stage's history: the base's entries plus the new ones.
          expect(history.length).toBe(1 + sc.expect_new_history_entries_after_base.length);
        }
      }
    });
  }
});
