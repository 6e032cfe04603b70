import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { storeImage, writeBusyboxRootfs, busyboxMissing } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { repoRoot } from '../paths.ts';

/** busybox ash's prompt, followed by its cursor-position query. */
const PROMPT = /# (\x1b\[6n)?$/;

const why = (): string | undefined => busyboxMissing() ?? sandboxUnavailable();

/** Runs `strata ARGS` on a real pseudo-terminal, typing `input` once `ready` shows up. */
function onTerminal(root: string, args: string[], steps: { waitFor: RegExp; type: string }[]): Promise<{ output: string; exitCode: number }> {
  return new Promise((resolve) => {
    const term = pty.spawn(process.execPath, [join(repoRoot, 'src/main/cli/main.ts'), '--root', root, ...args], {
      name: 'xterm', cols: 100, rows: 30, cwd: repoRoot, env: { ...process.env, STRATA_ROOT: root } as Record<string, string>,
    });
    let output = '';
    let step = 0;
    term.onData((d) => {
      output += d;
      while (step < steps.length && steps[step]!.waitFor.test(output)) term.write(steps[step++]!.type);
    });
    term.onExit(({ exitCode }) => resolve({ output, exitCode }));
  });
}

describe('run -it through a real pseudo-terminal', () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  beforeAll(async () => {
    dir = tempDir();
    root = join(dir.path, 'store');
    if (why()) return;
    const base = join(dir.path, 'base.tar');
    await writeBusyboxRootfs(base);
    const engine = Engine.open({ root });
    await storeImage(engine, [base], { tags: ['busybox'] });
    engine.close();
  });
  afterAll(() => dir.cleanup());

  it('gives an interactive shell on a terminal and returns its exit code', async ({ skip }) => {
    if (why()) skip(why());
    const res = await onTerminal(root, ['run', '-it', '--name', 'shell', 'busybox', 'sh'], [
      { waitFor: PROMPT, type: '[ -t 0 ] && [ -t 1 ] && echo on-a-tty; echo "sum=$((40+2))"; echo $TERM; stty size\r' },
      { waitFor: /\d+ \d+\r+\n[\s\S]*# (\x1b\[6n)?$/, type: 'exit 5\r' },
    ]);
    expect(res.exitCode).toBe(5);
    expect(res.output).toContain('on-a-tty\r');
    expect(res.output).toContain('sum=42');
    expect(res.output).toContain('xterm');
    expect(res.output).toContain('30 100');
  });

  it('the container keeps what the shell did, and start -ai attaches again', async ({ skip }) => {
    if (why()) skip(why());
    const first = await onTerminal(root, ['run', '-it', '--name', 'keeper', 'busybox', 'sh'], [{ waitFor: PROMPT, type: 'echo kept > /k; exit\r' }]);
    expect(first.exitCode).toBe(0);
    const again = await onTerminal(root, ['start', '-ai', 'keeper'], [{ waitFor: PROMPT, type: 'cat /k; exit 2\r' }]);
    expect(again.exitCode).toBe(2);
    expect(again.output).toContain('kept');
  });

  it('exec -it opens a terminal in a running container', async ({ skip }) => {
    if (why()) skip(why());
    const { strata } = await import('../cli/run.ts');
    expect((await strata(root, ['run', '-d', '--name', 'svc', 'busybox', 'sleep', '60'])).code).toBe(0);
    try {
      const res = await onTerminal(root, ['exec', '-it', 'svc', 'sh'], [
        { waitFor: PROMPT, type: '[ -t 0 ] && echo exec-on-tty; stty size; exit 4\r' },
      ]);
      expect(res.exitCode).toBe(4);
      expect(res.output).toContain('exec-on-tty\r');
      expect(res.output).toContain('30 100');
    } finally {
      await strata(root, ['rm', '-f', 'svc']);
    }
  });
});
