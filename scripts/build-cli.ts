/**
 * Bundles the CLI into out/cli/ (`npm run build:cli`; setup.sh and test.sh run it), so that a
 * command's start-up loads a few files instead of Node's ESM loader resolving, reading and
 * type-stripping some seventy modules one by one.
 *
 *  - Entries: main.ts and each command module, so that a command's code still loads only when
 *    that command runs; the code they share goes into common chunks. Packages and `node:`
 *    builtins stay imports (native modules keep loading from node_modules).
 *  - The route table loader.ts makes at run time from the registry is made here, once
 *    (bundled.ts is replaced by it and by one import per command module).
 *  - `import.meta.url` of each module becomes its source file's URL, computed relative to the
 *    chunk: files found beside a module (the container monitor, the snapshot preparer, the userns
 *    worker) are still the sources, and a moved checkout keeps working. `import.meta.main` is
 *    false in the bundle: only out/cli/strata.mjs is ever Node's entry.
 *  - out/cli/strata.mjs, the entry bin/strata runs, lists every source file the bundle was made
 *    from with its size and mtime. It checks them first (a stat each) and runs the sources
 *    instead when any differs: an edited checkout is slower until rebuilt, never wrong.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { rolldown, type Plugin } from 'rolldown';
import { isCommandModule, makeRoutes } from '../src/main/cli/loader.ts';

const repo = join(import.meta.dirname, '..');
const cliDir = join(repo, 'src', 'main', 'cli');
const commandsDir = join(cliDir, 'commands');
const outDir = join(repo, 'out', 'cli');
/** Relative to out/cli/, where every chunk is written (no subdirectories: see importMetaOfSource). */
const fromOut = (file: string): string => relative(outDir, file).split(sep).join('/');

/** The route table and an import per command module, in place of bundled.ts. */
async function bundledModule(): Promise<string> {
  const routes = await makeRoutes();
  const modules = [...new Set(routes.map((r) => r.module))];
  const load = modules.map((m) => `  ${JSON.stringify(m)}: () => import(${JSON.stringify(join(commandsDir, m))}),`);
  return `export const BUNDLED = {\n  routes: ${JSON.stringify(routes)},\n  load: {\n${load.join('\n')}\n  },\n};\n`;
}

/** `import.meta.url` → the module's source URL; `import.meta.main` → false; anything else refused. */
function importMetaOfSource(code: string, id: string): string {
  return code.replace(/\bimport\.meta\.(\w+)/g, (_whole, property: string) => {
    if (property === 'url') return `new URL(${JSON.stringify(fromOut(id))}, import.meta.url).href`;
    if (property === 'main') return 'false';
    throw new Error(`${relative(repo, id)}: import.meta.${property} has no meaning in the bundled CLI (use import.meta.url)`);
  });
}

/** `{ a, b as c }` → `{ a, b: c }`; `* as x` and a default `x` → `x`. */
function bindingsOf(clause: string): string[] {
  const named = /\{(.*)\}/.exec(clause)?.[1];
  const single = clause.replace(/\{.*\}/, '').split(',').map((p) => p.trim().replace(/^\* as /, '')).filter(Boolean);
  return [...single, ...(named ? [`{ ${named.split(',').map((n) => n.trim().replace(/ as /, ': ')).filter(Boolean).join(', ')} }`] : [])];
}

/**
 * A chunk's imports of builtins and packages, as calls: Node's ESM loader makes a facade of
 * every builtin's exports and loads a CommonJS package (better-sqlite3's dozen files) through its
 * own resolver, while `process.getBuiltinModule` and `require` hand over the object the facade
 * is made of (≈ 15 ms of `strata images`). The chunks' own imports stay imports.
 */
function importsAsCalls(code: string): string {
  let usesRequire = false;
  const out = code.replace(/^import (?:(.+?) from )?"([^".][^"]*)";$/gm, (_whole, clause: string | undefined, spec: string) => {
    const call = spec.startsWith('node:') ? `process.getBuiltinModule(${JSON.stringify(spec)})` : ((usesRequire = true), `__require(${JSON.stringify(BUNDLED_PACKAGES[spec] ?? spec)})`);
    return clause ? bindingsOf(clause).map((b) => `const ${b} = ${call};`).join(' ') : `${call};`;
  });
  return usesRequire ? `const __require = process.getBuiltinModule("node:module").createRequire(import.meta.url);\n${out}` : out;
}

/**
 * Packages whose own JavaScript is bundled into one file of out/cli/ (the chunks require that file):
 * better-sqlite3's fifteen CommonJS files each cost Node's CommonJS loader a resolution (stats,
 * extensions tried, realpath) and a module record, ≈ 6% of what `strata images` executes; one file
 * costs one. Its native addon is still loaded from the package, found as the package finds it.
 */
const BUNDLED_PACKAGES: Record<string, string> = { 'better-sqlite3': './better-sqlite3.cjs' };

/**
 * Bundles a package's CommonJS files into `dir`/`file`, as CommonJS. `__dirname` in them (where the
 * package looks for its native addon) stays the package's own directory, reached through the
 * checkout's node_modules relative to the bundled file: a moved checkout keeps working. Returns
 * the files it was made from, as paths under the checkout's node_modules.
 */
async function bundlePackage(name: string, dir: string, file: string): Promise<string[]> {
  const pkg = join(repo, 'node_modules', name);
  const entry = createRequire(join(repo, 'package.json')).resolve(name);
  const real = realpathSync(pkg);
  const inCheckout = (id: string): string => (id.startsWith(`${real}${sep}`) ? join(pkg, relative(real, id)) : id);
  const packageDir = (id: string): string => fromOut(dirname(inCheckout(id)));
  const bundle = await rolldown({
    input: entry,
    platform: 'node',
    external: (id) => !id.startsWith('.') && !isAbsolute(id),
    plugins: [{
      name: 'package-dirname',
      transform: (code, id) => (code.includes('__dirname') ? `const __packageDirname = require('node:path').join(__dirname, ${JSON.stringify(packageDir(id))});\n${code.replace(/\b__dirname\b/g, '__packageDirname')}` : null),
    }],
  });
  try {
    const { output } = await bundle.write({ file: join(dir, file), format: 'cjs' });
    return output.flatMap((o) => (o.type === 'chunk' ? o.moduleIds : [])).filter((id) => isAbsolute(id)).map(inCheckout);
  } finally {
    await bundle.close();
  }
}

type Graph = { imports(id: string): string[] };

/** The packages and builtins a module's static imports load, its own and its imports' imports. */
function externalsOf(graph: Graph): (id: string) => Set<string> {
  const memo = new Map<string, Set<string>>();
  const visit = (id: string): Set<string> => {
    let found = memo.get(id);
    if (found) return found;
    memo.set(id, (found = new Set()));
    for (const dep of graph.imports(id)) {
      if (!isAbsolute(dep)) found.add(dep);
      else for (const e of visit(dep)) found.add(e);
    }
    return found;
  };
  return visit;
}

/** Builtins Node has loaded before any of our code runs (process.stdout is a stream): free. */
const LOADED_ANYWAY = ['node:stream', 'node:net', 'node:events', 'node:util'];

/**
 * The common chunk a module goes to: every command loads the 'cli' chunk (main.ts's own imports);
 * other modules share a chunk with those whose imports load the same builtins and packages, so
 * loading a chunk never loads a builtin or package its caller would not have loaded anyway
 * (`image ls --help` no SQLite, `images` no tar or HTTP). Fewer, larger chunks: each file costs
 * Node's loader about half a millisecond, a larger file hardly more.
 */
type ChunkOf = { name: string; needs: number; reach: number };

function chunkNames(graph: Graph, ids: string[]): Map<string, ChunkOf> {
  const externals = externalsOf(graph);
  const main = join(cliDir, 'main.ts');
  const mainClosure = new Set<string>();
  const walk = (id: string): void => {
    if (mainClosure.has(id) || !isAbsolute(id)) return;
    mainClosure.add(id);
    graph.imports(id).forEach(walk);
  };
  walk(main);
  const reachedBy = hotCommandsReaching(graph);
  const free = new Set([...externals(main), ...LOADED_ANYWAY]);
  const names = new Map<string, ChunkOf>();
  for (const id of ids) {
    // The command modules are entries of their own, and the registry (all of them) is one too.
    if (!id.startsWith(`${repo}${sep}src${sep}`) || id === main || id.startsWith(`${commandsDir}${sep}`) || id === join(cliDir, 'registry.ts')) continue;
    const needs = [...externals(id)].filter((e) => !free.has(e)).map((e) => e.replace(/^node:/, '').replace(/\W+/g, '-')).sort();
    if (mainClosure.has(id)) names.set(id, { name: 'cli', needs: -1, reach: HOT_COMMANDS.length });
    else {
      const by = reachedBy(id);
      names.set(id, { name: `${needs.length === 0 ? 'light' : `with-${needs.join('+')}`}${by.suffix}`, needs: needs.length, reach: by.count });
    }
  }
  return names;
}

/** The commands people run most, whose start-up should load only the code they reach. */
const HOT_COMMANDS = ['image-list.ts', 'container-view.ts', 'usage.ts', 'build.ts', 'container-run.ts'];

/**
 * What main.ts imports on use for every command on the local store (the endpoint's choice, the
 * engine) and all they import: every hot command loads it once it runs, so it is one chunk (one
 * per set of builtins and packages it needs), whichever commands also import a part of it. Counted
 * as no command's, the engine's modules were named `~other` and shared chunks with the API
 * server's and the providers' code, which every listing then loaded. (`image ls --help` loads the
 * light part of it, still no SQLite.)
 */
const STORE_OPEN = ['providers/discovery.ts', 'providers/contexts.ts', 'engine/engine.ts', 'engine/metadata/db.ts'].map((m) => join(repo, 'src', 'main', m));

/** The modules `roots` import, statically, and theirs. */
function closureOf(graph: Graph, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const walk = (id: string): void => {
    if (seen.has(id) || !isAbsolute(id)) return;
    seen.add(id);
    graph.imports(id).forEach(walk);
  };
  roots.forEach(walk);
  return seen;
}

/**
 * Which hot commands reach a module, as a name suffix (`~image-list+build`) and their number
 * (the store's open counting as all of them): modules reached by the same ones share a chunk, so
 * `images` does not load the builder's parser with its own code. A module's imports are reached
 * by every command that reaches it, so a chunk's imports land in chunks no hot command would skip.
 */
function hotCommandsReaching(graph: Graph): (id: string) => { suffix: string; count: number } {
  const store = closureOf(graph, STORE_OPEN);
  const reached = HOT_COMMANDS.map((name) => closureOf(graph, [join(commandsDir, name)]));
  return (id) => {
    if (store.has(id)) return { suffix: '', count: HOT_COMMANDS.length };
    const by = HOT_COMMANDS.filter((_, i) => reached[i]!.has(id)).map((n) => basename(n, '.ts'));
    return { suffix: by.length === HOT_COMMANDS.length ? '' : `~${by.join('+') || 'other'}`, count: by.length };
  };
}

let chunkOf = new Map<string, ChunkOf>();

/**
 * The common chunks as groups. A group also takes the modules its members import, unless a group
 * before it took them, so a module's imports must be offered to the groups first: those needing
 * fewer builtins and packages, and among them those more hot commands reach (a module's imports
 * never need more and are reached by every command that reaches it). Otherwise a module all
 * listings use (digest.ts) went with the first importer's group (the builder's parser), and
 * `system df -v` loaded the builder's, the registry's and the API server's chunks for it.
 * (The names are known only once the bundler has read the modules, when it calls `name`.)
 */
function chunkGroups(): { name: (id: string) => string | null; priority: number; debugName: string }[] {
  const reaches = HOT_COMMANDS.length + 1;
  return Array.from({ length: 32 * reaches }, (_, i) => ({ needs: Math.floor(i / reaches) - 1, reach: i % reaches })).map(({ needs, reach }) => ({
    name: (id: string) => {
      const chunk = chunkOf.get(id);
      return chunk?.needs === needs && chunk.reach === reach ? chunk.name : null;
    },
    priority: (100 - needs) * reaches + reach,
    debugName: `needing ${needs} more, reached by ${reach} hot commands`,
  }));
}

function strataPlugin(bundled: string): Plugin {
  const bundledFile = join(cliDir, 'bundled.ts');
  return {
    name: 'strata-cli',
    buildEnd() {
      const imports = (id: string): string[] => this.getModuleInfo(id)?.importedIds ?? [];
      chunkOf = chunkNames({ imports }, [...this.getModuleIds()]);
    },
    load: (id) => (id === bundledFile ? bundled : null),
    renderChunk: (code) => importsAsCalls(code),
    transform: (code, id) => (id.startsWith(`${repo}${sep}src${sep}`) && code.includes('import.meta') ? importMetaOfSource(code, id) : null),
  };
}

/** The entry: the bundle while its sources are unchanged, else the sources. */
function entry(sources: string[]): string {
  const stamps = sources.map((file) => {
    const st = statSync(file);
    return [relative(repo, file).split(sep).join('/'), st.size, st.mtimeMs];
  });
  return `// Made by scripts/build-cli.ts (npm run build:cli); bin/strata runs it. Do not edit.
const { statSync } = process.getBuiltinModule('node:fs');

const checkout = \`\${import.meta.dirname}/../../\`;
/** Every file the bundle was made from: [path in the checkout, size, mtimeMs]. */
const SOURCES = ${JSON.stringify(stamps)};

function unchanged() {
  for (const [file, size, mtimeMs] of SOURCES) {
    const st = statSync(checkout + file, { throwIfNoEntry: false });
    if (!st || st.size !== size || st.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

/**
 * The chunks import one another as './NAME.js', all of them ES modules in this one directory that
 * the build wrote: their URL is the specifier's against the importer's, as Node's resolver would
 * find it, without its stat, realpath and package.json lookup per chunk (≈ 4% of what strata
 * images executes). Anything else (a bundled package's './NAME.cjs', required) goes to Node's.
 */
function resolveChunks() {
  const here = new URL('./', import.meta.url).href;
  process.getBuiltinModule('node:module').registerHooks({
    resolve(specifier, context, nextResolve) {
      if (!specifier.startsWith('./') || !specifier.endsWith('.js') || !context.parentURL?.startsWith(here)) return nextResolve(specifier, context);
      return { url: new URL(specifier, context.parentURL).href, format: 'module', shortCircuit: true };
    },
  });
}

let run;
if (unchanged()) {
  resolveChunks();
  ({ run } = await import('./main.js'));
} else {
  ({ run } = await import('../../src/main/cli/main.ts'));
}
await run();
`;
}

/** Readable by every user (the rootless test pass runs this checkout as another user). */
function makeReadable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) makeReadable(join(dir, e.name));
    else chmodSync(join(dir, e.name), 0o644);
  }
}

export async function buildCli(): Promise<{ chunks: number; sources: number }> {
  const input: Record<string, string> = { main: join(cliDir, 'main.ts') };
  for (const name of readdirSync(commandsDir).filter(isCommandModule)) input[`command-${basename(name, '.ts')}`] = join(commandsDir, name);
  const bundle = await rolldown({
    input,
    platform: 'node',
    tsconfig: join(repo, 'tsconfig.node.json'),
    // Commands import what main.ts imports lazily: no matter, each command loads what it needs.
    checks: { ineffectiveDynamicImport: false },
    external: (id) => !id.startsWith('.') && !isAbsolute(id),
    plugins: [strataPlugin(await bundledModule())],
  });
  if (!existsSync(dirname(outDir))) {
    mkdirSync(dirname(outDir));
    chmodSync(dirname(outDir), 0o755);
  }
  const staging = `${outDir}.new-${process.pid}`;
  try {
    // No comments and only ASCII (other characters as escapes): Node reads each chunk into a
    // one-byte string instead of a two-byte one, and its compile cache converts and checksums
    // the whole source on every load (≈ 14 M instructions of a cached build before, 5 M after).
    const { output } = await bundle.write({ dir: staging, format: 'esm', comments: false, charset: 'ascii', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', codeSplitting: { groups: chunkGroups() } });
    const sources = new Set<string>([join(repo, 'scripts', 'build-cli.ts')]);
    for (const chunk of output) {
      if (chunk.type !== 'chunk') continue;
      for (const id of chunk.moduleIds) if (id.startsWith(`${repo}${sep}src${sep}`)) sources.add(id);
    }
    // A package updated since the build runs the sources too (its JavaScript must match its addon).
    for (const [name, file] of Object.entries(BUNDLED_PACKAGES)) for (const id of await bundlePackage(name, staging, file)) sources.add(id);
    writeFileSync(join(staging, 'strata.mjs'), entry([...sources].sort()));
    makeReadable(staging);
    // Swapped in by renames: a CLI starting meanwhile finds the old bundle or the new one.
    const previous = `${outDir}.old-${process.pid}`;
    if (existsSync(outDir)) renameSync(outDir, previous);
    renameSync(staging, outDir);
    rmSync(previous, { recursive: true, force: true });
    return { chunks: output.length, sources: sources.size };
  } finally {
    await bundle.close();
    rmSync(staging, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const started = performance.now();
  const { chunks, sources } = await buildCli();
  console.log(`build:cli: ${relative(process.cwd(), outDir) || outDir}: ${chunks} files from ${sources} sources in ${Math.round(performance.now() - started)} ms`);
}
