/**
 * `.dockerignore` lines and COPY source wildcards such as `a*a*a*…a*b` must match in linear time
 * (moby uses RE2): with a backtracking matcher 12 stars already take over a minute on a long
 * name. The matching runs in a worker thread (or the CLI in a child process) so a regression
 * shows as "did not finish" instead of freezing the test runner; the limits are generous and
 * only separate "finishes" from "runs for ages".
 */
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../paths.ts';
import { Engine } from '../../src/main/engine/engine.ts';
import { imageTree } from '../build/helpers.ts';
import { NOBODY, nobodyUnavailable, runStrata, securityTemp } from './helpers.ts';

const STARS = 30;
const PATTERN = `${'a*'.repeat(STARS)}b`;
const NAME = 'a'.repeat(60);

/** Runs `code` (an async function body with `mod` = the imported module) in a worker; undefined when it did not finish. */
function inWorker(module: string, code: string, limitMs: number): Promise<unknown> {
  const url = pathToFileURL(join(repoRoot, module)).href;
  const worker = new Worker(`
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(url)}).then(async (mod) => parentPort.postMessage(await (async () => { ${code} })()));
  `, { eval: true });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(undefined);
    }, limitMs);
    worker.once('message', (m) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('pattern matching is linear-time', () => {
  it(`a .dockerignore line with ${STARS} stars finishes on a ${NAME.length}-character name`, async () => {
    const result = await inWorker('src/main/engine/build/dockerignore/index.ts', `
      const pm = new mod.PatternMatcher([${JSON.stringify(PATTERN)}, '!keep']);
      return [pm.matchesOrParentMatches(${JSON.stringify(NAME)}), pm.matchesOrParentMatches(${JSON.stringify(`${NAME}b/inside`)})];
    `, 20_000);
    expect(result, 'the match did not finish within 20 s').toEqual([false, true]);
  });

  it(`a COPY source wildcard with ${STARS} stars finishes`, async () => {
    const tmp = securityTemp('strata-sec-glob-');
    try {
      mkdirSync(join(tmp.path, 'ctx'));
      writeFileSync(join(tmp.path, 'ctx', NAME), 'x');
      writeFileSync(join(tmp.path, 'ctx', `${NAME}b`), 'y');
      const result = await inWorker('src/main/engine/build/context.ts', `
        return mod.matchSources({ root: ${JSON.stringify(join(tmp.path, 'ctx'))}, label: 'context' }, ${JSON.stringify(PATTERN)});
      `, 20_000);
      expect(result, 'the match did not finish within 20 s').toEqual([`${NAME}b`]);
    } finally {
      tmp.cleanup();
    }
  });
});

const users = [{ who: 'the current user', user: undefined, skip: undefined }, { who: 'the unprivileged user 65534', user: NOBODY, skip: nobodyUnavailable() }];

describe.each(users)('a build whose .dockerignore and COPY use the pattern, as $who', ({ user, skip }) => {
  const tmp = securityTemp('strata-sec-redos-build-', skip ? undefined : user);
  afterAll(() => tmp.cleanup());

  it('finishes and excludes only what the pattern names', async (t) => {
    if (skip) t.skip(skip);
    const ctx = join(tmp.path, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY . /all/\n');
    writeFileSync(join(ctx, '.dockerignore'), `${PATTERN}\n`);
    writeFileSync(join(ctx, NAME), 'kept');
    writeFileSync(join(ctx, `${NAME}b`), 'ignored');
    if (user !== undefined) for (const f of ['', 'Dockerfile', '.dockerignore', NAME, `${NAME}b`]) chownSync(join(ctx, f), user, user);
    const root = join(tmp.path, 'root');
    const r = await runStrata(['--root', root, 'build', '-t', 'redos:1', ctx], { timeoutMs: 60_000, ...(user !== undefined ? { user } : {}) });
    expect(r.timedOut, 'the build did not finish within 60 s').toBe(false);
    expect(r.code, r.stderr).toBe(0);
    const engine = Engine.open({ root });
    try {
      const tree = imageTree(engine, engine.images.resolve('redos:1'));
      expect([...tree.keys()].sort()).toEqual(['all', 'all/.dockerignore', 'all/Dockerfile', `all/${NAME}`]);
    } finally {
      engine.close();
    }
  });
});
