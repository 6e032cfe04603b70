/** The engine's public data shapes live in src/shared (the bottom layer); re-exported for the engine's own modules. */
export type * from '../../shared/types.ts';
