import type { Readable } from 'node:stream';
import type { CommandContext } from './command.ts';

/**
 * docker/cli's PromptForConfirmation: the question and ` [y/N] ` on stdout, one line from stdin,
 * and only `y` or `Y` (spaces trimmed) means yes; end of input means no.
 */
export async function confirm(ctx: Pick<CommandContext, 'stdin' | 'stdout'>, question: string): Promise<boolean> {
  ctx.stdout.write(`${question} [y/N] `);
  return (await readLine(ctx.stdin)).trim().toLowerCase() === 'y';
}

/** One line from stdin (without its newline); what there is at end of input. */
export function readLine(stdin: Readable | NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    const done = (line: string): void => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      resolve(line);
    };
    const onData = (chunk: Buffer | string): void => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl));
    };
    const onEnd = (): void => done(buf);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
}
