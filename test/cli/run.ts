import { PassThrough, Writable } from 'node:stream';
import { main } from '../../src/main/cli/main.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `strata` CLI entry point in process, capturing its output. */
export async function strata(root: string, args: string[], stdin = ''): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = new Writable({ write(chunk, _enc, cb) { stdout += chunk.toString(); cb(); } });
  const err = new Writable({ write(chunk, _enc, cb) { stderr += chunk.toString(); cb(); } });
  const input = new PassThrough();
  input.end(stdin);
  const code = await main(['--root', root, ...args], { stdout: out, stderr: err, stdin: input });
  return { code, stdout, stderr };
}
