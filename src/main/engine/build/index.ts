/**
 * The build service's public surface for the CLI, the IPC handlers and the UI: run a build with
 * streamed events, query recorded builds, the order advisor, and the cache for `system df`.
 */
export { build, BuildError } from './builder.ts';
export type { BuildEvent, BuildOptions, BuildResult } from './builder.ts';
export { BuildHistory } from './history-store.ts';
export type { BuildRecord, BuildStepRecord, BuildStatus, StepStatus } from './history-store.ts';
export { adviseOrder } from './advisor.ts';
export type { Advice, OrderSuggestion, StableStep } from './advisor.ts';
export { BuildCache, buildCacheUsage } from './cache.ts';
export { sweepInterruptedBuilds } from './leftovers.ts';
export type { SweptBuilds } from './leftovers.ts';
