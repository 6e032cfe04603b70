import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../paths.ts';
import { tempDir } from '../tmp.ts';
import { writeTar } from '../fixtures/busybox.ts';
import { mustSucceed } from '../docker/archives.ts';

/** Runs bin/strata with stdout into a pipe whose reader goes away after the first chunk (`| head -c1`). */
function intoClosedPipe(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repoRoot, 'bin/strata'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('a reader that goes away (strata … | head -1)', () => {
  const dir = tempDir();
  const root = join(dir.path, 'store');
  beforeAll(async () => {
    const layer = join(dir.path, 'l.tar');
    await writeTar(layer, [{ type: 'file', name: 'x', content: 'x' }]);
    await mustSucceed(root, ['import', layer, 'piped:1']);
  });
  afterAll(() => dir.cleanup());

  it('ends the command quietly with the SIGPIPE status docker gets, no stack trace or Error line', async () => {
    // far more than a pipe buffer (64 KiB): the write after the reader left fails with EPIPE
    const res = await intoClosedPipe(['--root', root, 'inspect', ...Array.from({ length: 300 }, () => 'piped:1')]);
    expect(res).toEqual({ status: 141, stderr: '' });
  });
});
