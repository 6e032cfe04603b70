/**
 * Loads the CLI's commands on first use. Importing every command module (and through them the
 * whole engine) cost each invocation ~0.2 s before it did any work; a command's own module is all
 * it needs. The registry (registry.ts) stays the one list of commands; this file keeps a routing
 * table beside Node's compile cache — which module exports the command each path names — made by
 * importing the registry once and made again whenever a file in commands/ or the registry changes
 * (its size or mtime). A route that no longer names its command is made again too, so a stale
 * table can cost a slow run, never a wrong one.
 *
 * The bundled CLI (scripts/build-cli.ts) carries the table made at build time instead (bundled.ts).
 *
 * Light on purpose: only node:fs and node:path, nothing of the engine.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from './command.ts';
import { BUNDLED, type Route } from './bundled.ts';

export type { Route };

interface RouteTable {
  format: number;
  stamp: string;
  routes: Route[];
}

/** Bumped when the table's shape changes. */
const FORMAT = 1;

const cliDir = dirname(fileURLToPath(import.meta.url));
const commandsDir = join(cliDir, 'commands');

export const isCommandModule = (name: string): boolean => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts');

/** The sources the table is made from, as names, sizes and mtimes: any edit changes it. */
export function sourceStamp(): string {
  const parts: string[] = [];
  const add = (file: string, name: string): void => {
    const st = statSync(file);
    parts.push(`${name}:${st.size}:${st.mtimeMs}`);
  };
  add(join(cliDir, 'registry.ts'), 'registry.ts');
  for (const name of readdirSync(commandsDir).filter(isCommandModule).sort()) add(join(commandsDir, name), name);
  return parts.join('|');
}

/** FNV-1a of the checkout's path: one table per checkout (worktrees side by side). */
function checkoutKey(): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < cliDir.length; i++) h = Math.imul(h ^ cliDir.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** $STRATA_CACHE_DIR, else the XDG cache dir (where bin/strata keeps Node's compile cache). */
export function cacheDir(): string {
  const env = process.env;
  return env.STRATA_CACHE_DIR || join(env.XDG_CACHE_HOME || join(env.HOME || '/tmp', '.cache'), 'strata');
}

function tablePath(): string {
  return join(cacheDir(), `commands-${checkoutKey()}.json`);
}

function readTable(stamp: string): Route[] | undefined {
  try {
    const table = JSON.parse(readFileSync(tablePath(), 'utf8')) as RouteTable;
    return table.format === FORMAT && table.stamp === stamp && Array.isArray(table.routes) ? table.routes : undefined;
  } catch {
    return undefined;
  }
}

/** Best effort: an unwritable cache dir only means the next run makes the table again. */
function writeTable(table: RouteTable): void {
  const path = tablePath();
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, JSON.stringify(table), { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // not even readable (another user's HOME, as a dropped-privilege run inherits): nothing was written
    }
  }
}

/** Every command of the registry, in its order: this imports every command module. */
export async function allCommands(): Promise<Command[]> {
  return (await import('./registry.ts')).COMMANDS;
}

/**
 * Which module exports each registered command. A command exported on its own is routed there
 * rather than through a list that gathers several (container.ts), so running it loads one group.
 * A command no module under commands/ exports is left out: findRoute then loads the registry.
 */
export async function makeRoutes(): Promise<Route[]> {
  const commands = await allCommands();
  const registered = new Set(commands);
  const owner = new Map<Command, Omit<Route, 'path' | 'aliases'>>();
  const modules: [string, Record<string, unknown>][] = [];
  for (const name of readdirSync(commandsDir).filter(isCommandModule).sort()) {
    modules.push([name, (await import(`./commands/${name}`)) as Record<string, unknown>]);
  }
  for (const [module, exports] of modules) {
    for (const [exportName, value] of Object.entries(exports)) {
      if (registered.has(value as Command) && !owner.has(value as Command)) owner.set(value as Command, { module, exportName });
    }
  }
  for (const [module, exports] of modules) {
    for (const [exportName, value] of Object.entries(exports)) {
      if (!Array.isArray(value)) continue;
      value.forEach((c: Command, index) => {
        if (registered.has(c) && !owner.has(c)) owner.set(c, { module, exportName, index });
      });
    }
  }
  return commands.flatMap((c) => {
    const where = owner.get(c);
    return where ? [{ path: c.path, aliases: c.aliases ?? [], ...where }] : [];
  });
}

async function routes(fresh: boolean): Promise<Route[]> {
  const stamp = sourceStamp();
  const cached = fresh ? undefined : readTable(stamp);
  if (cached) return cached;
  const made = await makeRoutes();
  writeTable({ format: FORMAT, stamp, routes: made });
  return made;
}

const samePath = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((w, i) => w === b[i]);

/** The longest path or alias that prefixes argv, as docker picks `image ls` over `image`. */
function longestMatch<T extends { path: string[]; aliases?: string[][] }>(items: readonly T[], argv: readonly string[]): { item: T; rest: string[] } | undefined {
  let best: { item: T; len: number } | undefined;
  for (const item of items) {
    for (const path of [item.path, ...(item.aliases ?? [])]) {
      if (path.length <= argv.length && path.every((w, i) => argv[i] === w) && (!best || path.length > best.len)) best = { item, len: path.length };
    }
  }
  return best && { item: best.item, rest: argv.slice(best.len) };
}

async function loadRoute(route: Route): Promise<Command | undefined> {
  const exports = BUNDLED ? await BUNDLED.load[route.module]?.() : ((await import(`./commands/${route.module}`)) as Record<string, unknown>);
  if (!exports) return undefined;
  const value = exports[route.exportName];
  const command = (route.index === undefined ? value : Array.isArray(value) ? value[route.index] : undefined) as Command | undefined;
  return command && typeof command.run === 'function' && samePath(command.path, route.path) ? command : undefined;
}

/**
 * The command argv names and the words after its path, loading only that command's module.
 * When the table and the sources disagree, the table is made again and the registry decides.
 */
export async function findCommand(argv: readonly string[]): Promise<{ command: Command; rest: string[] } | undefined> {
  const hit = longestMatch(BUNDLED?.routes ?? (await routes(false)), argv);
  if (hit) {
    const command = await loadRoute(hit.item);
    if (command) return { command, rest: hit.rest };
    if (!BUNDLED) await routes(true);
  }
  const found = longestMatch(await allCommands(), argv);
  return found && { command: found.item, rest: found.rest };
}
