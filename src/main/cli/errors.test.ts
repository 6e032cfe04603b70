import { afterAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { describeError } from './errors.ts';
import { main } from './main.ts';
import { UsageError } from './args.ts';
import { ExecError } from '../engine/runtime/sandbox.ts';
import { BuildError } from '../engine/build/builder.ts';
import { ImageNotFoundError } from '../engine/image/image-service.ts';
import { StrataError } from '../../shared/errors.ts';
import { tempDir } from '../../../test/tmp.ts';

describe('the CLI error mapping', () => {
  it('prints usage errors bare and exits 125, as docker does', () => {
    expect(describeError(new UsageError('"strata rmi" requires at least 1 argument.'))).toEqual({ text: '"strata rmi" requires at least 1 argument.\n', status: 125 });
  });

  it('gives a process that could not start its 126/127 with docker runc wording', () => {
    const notFound = new ExecError('exec: "nope": executable file not found in $PATH', 127);
    expect(describeError(notFound, 'start')).toEqual({
      text: 'strata: Error response from daemon: failed to create task for container: exec: "nope": executable file not found in $PATH\n',
      status: 127,
    });
    expect(describeError(new ExecError('exec: "/etc": permission denied', 126), 'exec')).toEqual({
      text: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "/etc": permission denied: unknown\n',
      status: 126,
    });
  });

  it('prefixes a build failure with its Dockerfile line, once', () => {
    expect(describeError(new BuildError('process "/bin/sh -c false" did not complete successfully: exit code: 1', 3, 1), 'build').text).toBe(
      'ERROR: failed to solve: Dockerfile:3: process "/bin/sh -c false" did not complete successfully: exit code: 1\n',
    );
    expect(describeError(new BuildError('failed to solve: target stage "x" could not be found'), 'build').text).toBe('ERROR: failed to solve: target stage "x" could not be found\n');
  });

  it('words one failed item of a many-item verb as the daemon, a whole command as Error:', () => {
    expect(describeError(new StrataError('conflict', 'container abc is running'), 'daemon')).toEqual({ text: 'Error response from daemon: container abc is running\n', status: 1 });
    expect(describeError(new ImageNotFoundError('nope'))).toEqual({ text: 'Error response from daemon: No such image: nope\n', status: 1 });
    expect(describeError('plain string')).toEqual({ text: 'Error: plain string\n', status: 1 });
  });

  describe('through main()', () => {
    const tmp = tempDir();
    afterAll(() => tmp.cleanup());

    async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let err = '';
      stdout.on('data', (d: Buffer) => (out += d.toString()));
      stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await main(['--root', join(tmp.path, 'store'), ...argv], { stdout, stderr, stdin: new PassThrough() });
      return { code, out, err };
    }

    it('exits 125 for a flag the command does not know', async () => {
      const res = await run(['images', '--bogus']);
      expect(res.code).toBe(125);
      expect(res.err).toMatch(/^unknown flag: --bogus/);
    });

    it('prints an engine error with docker\'s prefix and exits 1', async () => {
      expect(await run(['tag', 'nope', 'other'])).toMatchObject({ code: 1, err: 'Error response from daemon: No such image: nope:latest\n' });
    });
  });
});
