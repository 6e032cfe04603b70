import type { Command } from './command.ts';
import { fsckCommand, gcCommand } from './commands/store.ts';

/**
 * Every CLI command. Each command lives in its own file under commands/ (grouped by service);
 * add it to this list.
 */
export const COMMANDS: Command[] = [
  fsckCommand,
  gcCommand,
];
