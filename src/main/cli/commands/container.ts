/** Every container command, grouped by what they do (one file per group); the registry lists them from here. */
import type { Command } from '../command.ts';
import { createCommand, execCommand, runCommand, startCommand } from './container-run.ts';
import { containerPruneCommand, killCommand, restartCommand, rmCommand, stopCommand, waitCommand } from './container-lifecycle.ts';
import { containerInspectCommand, diffCommand, logsCommand, portCommand, psCommand } from './container-view.ts';
import { commitCommand, cpCommand, exportCommand } from './container-files.ts';

export const CONTAINER_COMMANDS: Command[] = [
  containerPruneCommand, containerInspectCommand, waitCommand, cpCommand,
  runCommand, createCommand, startCommand, stopCommand, restartCommand, killCommand, rmCommand, psCommand, logsCommand, diffCommand, commitCommand,
  exportCommand, execCommand, portCommand,
];
