/**
 * What the bundled CLI knows from its build: the route table and one import per command module.
 * In the sources it is undefined and loader.ts keeps its own table; scripts/build-cli.ts replaces
 * this module in the bundle (the bundle is only ever run while its sources are unchanged).
 */

/** Where a command is exported: `module` under commands/, `exportName`, `index` in an exported list. */
export interface Route {
  path: string[];
  aliases: string[][];
  module: string;
  exportName: string;
  index?: number;
}

export interface Bundled {
  routes: Route[];
  /** A command module by its file name under commands/ (`images.ts`). */
  load: Record<string, () => Promise<Record<string, unknown>>>;
}

export const BUNDLED: Bundled | undefined = undefined;
