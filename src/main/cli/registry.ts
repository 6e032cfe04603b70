import type { Command } from './command.ts';
import { buildCommand, builderAdviseCommand, builderHistoryCommand, builderPruneCommand } from './commands/build.ts';
import { fsckCommand, gcCommand } from './commands/store.ts';
import { importCommand, loadCommand, saveCommand } from './commands/archive.ts';
import { uiCommand } from './commands/ui.ts';
import { historyCommand, imageLayersCommand, imagePruneCommand, imageInspectCommand, inspectCommand, rmiCommand, tagCommand } from './commands/images.ts';
import { imageLsCommand, imagesCommand } from './commands/image-list.ts';
import { systemDfCommand } from './commands/usage.ts';
import { loginCommand, logoutCommand, pullCommand, pushCommand } from './commands/registry.ts';
import { CONTAINER_COMMANDS } from './commands/container.ts';
import { CONTEXT_COMMANDS } from './commands/context.ts';
import { systemServiceCommand } from './commands/service.ts';
import { eventsCommand } from './commands/events.ts';
import { infoCommand, systemPruneCommand, versionCommand } from './commands/system.ts';

/**
 * Every CLI command. Each command lives in its own file under commands/ (grouped by service);
 * add it to this list.
 */
export const COMMANDS: Command[] = [
  buildCommand, builderPruneCommand, builderHistoryCommand, builderAdviseCommand,
  fsckCommand,
  loadCommand,
  saveCommand,
  importCommand,
  gcCommand,
  uiCommand,
  pullCommand, pushCommand, loginCommand, logoutCommand,
  eventsCommand,
  imagesCommand, imageLsCommand, historyCommand, imageLayersCommand, inspectCommand, imageInspectCommand, tagCommand, rmiCommand, imagePruneCommand, systemDfCommand,
  ...CONTAINER_COMMANDS,
  ...CONTEXT_COMMANDS,
  systemServiceCommand,
  versionCommand, infoCommand, systemPruneCommand,
];
