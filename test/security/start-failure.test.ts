/**
 * Issue 11: a start that fails (here an environment the kernel refuses, E2BIG) is a clean error
 * like docker's, and leaves nothing behind: no `--rm` container, no scratch folder, no record.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';
import { skipAllIf } from '../fixtures/skip.ts';

describe('a container start that fails', () => {
  skipAllIf(() => busyboxMissing() ?? sandboxUnavailable());
  let dir: { path: string; cleanup: () => void };
  let savedTmp: string | undefined;
  beforeEach(() => {
    dir = tempDir('strata-sec-start-');
    // A private temp dir: other sandboxes on this machine must not blur the count of scratch folders.
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = join(dir.path, 'tmp');
    mkdirSync(process.env.TMPDIR);
  });
  afterEach(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    dir.cleanup();
  });

  it('an oversized environment (E2BIG) is a clean error and leaves no --rm container or scratch behind', async () => {
    const root = join(dir.path, 'store');
    const engine = Engine.open({ root });
    try {
      await writeBusyboxRootfs(join(dir.path, 'base.tar'));
      await storeImage(engine, [join(dir.path, 'base.tar')], { tags: ['base'] });
    } finally {
      engine.close();
    }
    for (const flags of [['--rm'], ['--rm', '-t']]) {
      const res = await strata(root, ['run', ...flags, '-e', `BIG=${'x'.repeat(200_000)}`, 'base', 'true']);
      expect(res.stderr).toBe('strata: Error response from daemon: failed to create task for container: exec: "true": argument list too long\n');
      expect(res.code).toBe(126);
    }
    expect((await strata(root, ['ps', '-a', '-q'])).stdout).toBe('');
    expect(readdirSync(process.env.TMPDIR!)).toEqual([]);
    expect(readdirSync(join(root, 'containers'))).toEqual([]);
    // The same environment within the kernel's limits runs.
    const ok = await strata(root, ['run', '--rm', '-e', `BIG=${'x'.repeat(100_000)}`, 'base', 'sh', '-c', 'echo ${#BIG}']);
    expect(ok).toMatchObject({ code: 0, stdout: '100000\n' });
  });
});
