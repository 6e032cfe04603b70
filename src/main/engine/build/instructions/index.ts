export { parseInstruction, parseCommand, parseStages, findStage, instructionNames } from './parse.ts';
export type { Stages } from './parse.ts';
export {
  expandInstruction, expandStage, resolveArgs, resolveMetaArgs, normalizeWorkdir,
} from './expand.ts';
export type { ExpandOptions, ResolvedArg } from './expand.ts';
export {
  createdBy, resolveRunCommand, runCommandString, withShell, parseExposedPorts, progressName,
  defaultShell, historyComment,
} from './history.ts';
export type { HistoryContext, HistoryEntry, ResolvedRun } from './history.ts';
export { BFlags } from './bflags.ts';
export { parseGoDuration, formatGoDuration } from './duration.ts';
export type * from './types.ts';
