import type { Writable, Readable } from 'node:stream';
import type { Engine } from '../engine/engine.ts';
import type { FlagSpec, ParsedArgs } from './args.ts';

export interface CommandContext extends ParsedArgs {
  /** Opens the engine on the selected root (lazily: `--help` never touches the store). */
  engine(): Engine;
  root: string;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean };
  /** Aborted on SIGINT/SIGTERM; long operations pass it down. */
  signal: AbortSignal;
}

export interface Command {
  /** Words that select the command: ['image', 'ls']. */
  path: string[];
  /** Other spellings: [['images'], ['image', 'list']]. */
  aliases?: string[][];
  usage: string;
  description: string;
  flags: FlagSpec[];
  /** false: flags after the first positional argument belong to it (run, exec). */
  interspersed?: boolean;
  minArgs?: number;
  maxArgs?: number;
  /** Returns the exit code (0 when omitted). */
  run(ctx: CommandContext): Promise<number | void>;
}

export function flagString(ctx: ParsedArgs, name: string): string | undefined {
  const v = ctx.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function flagStrings(ctx: ParsedArgs, name: string): string[] {
  const v = ctx.flags[name];
  return Array.isArray(v) ? v : [];
}

export function flagBool(ctx: ParsedArgs, name: string): boolean {
  return ctx.flags[name] === true;
}
