import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import tar from 'tar-stream';
import { repoRoot } from '../paths.ts';
import { tempDir } from '../tmp.ts';
import { call, connect, startUi, type UiHost } from './ui-host.ts';

/**
 * Hostile input must never take a host down. A build context whose ADD tar has a `../` entry makes
 * the builder's tar reader raise an 'error' event asynchronously, outside any awaited promise. The
 * browser host (a real `strata ui`) answers that build with an error envelope and goes on
 * answering; the CLI prints one `Error:` line, no stack trace.
 */

/** A context whose Dockerfile ADDs a tar that tries to escape the root. */
async function hostileContext(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const pack = tar.pack();
  pack.entry({ name: 'ok.txt' }, 'fine\n');
  pack.entry({ name: '../escape.txt' }, 'outside\n');
  pack.finalize();
  const out = createWriteStream(join(dir, 'evil.tar'));
  pack.pipe(out);
  await finished(out);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nADD evil.tar /\n');
  return dir;
}

describe('security: hostile input never takes down a host', () => {
  const tmp = tempDir();
  let ctx: string;
  let host: UiHost;

  beforeAll(async () => {
    ctx = await hostileContext(join(tmp.path, 'ctx'));
    host = await startUi(join(tmp.path, 'store'));
  });
  afterAll(async () => {
    await host?.stop();
    tmp.cleanup();
  });

  it('the browser host reports the failed build in its envelope and keeps answering', async () => {
    const ws = await connect(host);
    for (let i = 0; i < 2; i++) {
      const reply = await call(ws, {
        t: 'stream', seq: 10 + i, id: `evil-${i}`, name: 'build.run',
        params: { path: ctx, dockerfile: 'Dockerfile', tags: [], buildArgs: {}, target: '', noCache: true },
      });
      expect(reply.envelope.ok).toBe(false);
      expect(JSON.stringify(reply.envelope)).toContain('refusing path that escapes the root: ../escape.txt');
    }
    const info = await call(ws, { t: 'invoke', seq: 20, name: 'app.info', params: {} });
    expect(info.envelope.ok).toBe(true);
    ws.close();
    // A new connection is served too: the process is alive and listening.
    const again = await connect(host);
    expect((await call(again, { t: 'invoke', seq: 1, name: 'images.list', params: {} })).envelope.ok).toBe(true);
    again.close();
    expect(host.proc.exitCode).toBe(null);
  });

  it('the CLI prints one error line, no stack, for a hostile ADD tar', () => {
    const run = spawnSync(join(repoRoot, 'bin', 'strata'), ['--root', join(tmp.path, 'cli-store'), 'build', '-q', ctx], {
      encoding: 'utf8', env: { ...process.env, STRATA_DEBUG: '' },
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    // The build reports it as BuildKit does, on one line naming the step and the entry.
    expect(lines.at(-1)).toBe('ERROR: failed to solve: Dockerfile:2: failed to unpack evil.tar: refusing path that escapes the root: ../escape.txt');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).not.toContain('Node.js v');
  });
});
