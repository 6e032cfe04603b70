/**
 * Fails `npm run lint` on an import cycle or a layer violation in src/:
 * - src/shared is the bottom layer: it imports nothing from src/main or src/renderer;
 * - src/main/engine is plain Node: never electron, src/main/host, src/main/cli or src/renderer;
 * - src/renderer never imports src/main (it reaches the engine only through the contract);
 * - no two modules reach each other through imports, type-only imports included (a type cycle
 *   is still two modules that cannot be understood or changed apart).
 * Tests may cross layers (a renderer test comparing with the engine's own text) but not make cycles.
 * Specifiers are read with a small scanner, not a parser: enough for this codebase's plain
 * `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface ImportProblem {
  kind: 'layer' | 'cycle';
  message: string;
}

interface Layer {
  /** Files under this directory (relative to the root, `/`-separated)… */
  from: string;
  /** …may not import these directories or bare packages. */
  forbidden: string[];
  why: string;
}

const LAYERS: Layer[] = [
  { from: 'src/shared/', forbidden: ['src/main/', 'src/renderer/', 'electron'], why: 'src/shared is the bottom layer' },
  { from: 'src/main/engine/', forbidden: ['electron', 'src/main/host/', 'src/main/cli/', 'src/renderer/'], why: 'the engine is plain Node, below the host and the CLI' },
  { from: 'src/renderer/', forbidden: ['src/main/', 'electron'], why: 'the renderer reaches the engine only through the contract' },
];

const SPECIFIER = /(?:^|[\s;}])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The module specifiers a source file names, comments removed first. */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return [...code.matchAll(SPECIFIER)].map((m) => (m[1] ?? m[2])!);
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|vue)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const isTest = (rel: string): boolean => /\.test\.ts$/.test(rel);

/** Every problem under `root`/src, each once. */
export function checkImports(root: string): ImportProblem[] {
  const rel = (p: string): string => relative(root, p).split(sep).join('/');
  const graph = new Map<string, string[]>();
  const problems: ImportProblem[] = [];
  for (const file of sourceFiles(join(root, 'src'))) {
    const from = rel(file);
    const edges: string[] = [];
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      const target = specifier.startsWith('.') ? resolveRelative(file, specifier) : undefined;
      const to = target ? rel(target) : specifier;
      if (target) edges.push(to);
      if (isTest(from)) continue;
      for (const layer of LAYERS) {
        const hit = from.startsWith(layer.from) && layer.forbidden.find((f) => (f.endsWith('/') ? to.startsWith(f) : to === f || to.startsWith(`${f}/`)));
        if (hit) problems.push({ kind: 'layer', message: `${from} imports ${to}: ${layer.why}` });
      }
    }
    graph.set(from, edges);
  }
  for (const cycle of cycles(graph)) problems.push({ kind: 'cycle', message: `import cycle: ${[...cycle, cycle[0]].join(' → ')}` });
  return problems;
}

/** One cycle per strongly connected component with more than one module (Tarjan's algorithm). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(pathThrough(graph, new Set(component)));
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** A readable cycle inside a component: from its first module, follow edges until one repeats. */
function pathThrough(graph: Map<string, string[]>, component: Set<string>): string[] {
  const start = [...component].sort()[0]!;
  const path = [start];
  const seen = new Map([[start, 0]]);
  for (let v = start; ; ) {
    const w = (graph.get(v) ?? []).filter((x) => component.has(x)).sort()[0]!;
    if (seen.has(w)) return path.slice(seen.get(w));
    seen.set(w, path.length);
    path.push(w);
    v = w;
  }
}

if (import.meta.main) {
  const problems = checkImports(resolve(import.meta.dirname, '..'));
  for (const p of problems) process.stderr.write(`${p.message}\n`);
  if (problems.length > 0) {
    process.stderr.write(`check-imports: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
    process.exitCode = 1;
  }
}
