/**
 * The build panel on an Engine API provider: the folder's context (walked as Strata's builder
 * walks it, `.dockerignore` honoured) streamed as a tar into the engine's `/build`, its classic
 * builder's lines (`Step 2/5 : COPY …`, ` ---> Using cache`, ` ---> 3f2a…`) turned into the panel's
 * step events. The engine says which steps came from its cache but never why one missed; for a
 * miss, Strata gives its estimate from what it recorded of the same folder's earlier builds on
 * that engine (instruction text, build args, content digests of what each COPY/ADD reads), marked
 * `missSource: 'strata-estimate'` so the panel says whose reason it is.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildEvent, BuildMissCause, StreamParams } from '../../shared/contract.ts';
import type { DockerJsonMessage } from '../../shared/docker-api.ts';
import { StrataError } from '../../shared/errors.ts';
import { contextTree, followSource, matchSources, openContext, sourceChecksum, walkSource, type BuildContext, type DigestCache, type WalkEntry } from '../engine/build/context.ts';
import { contextTar } from '../engine/build/context-tar.ts';
import { fileChangeList } from '../engine/build/cache.ts';
import { parseDockerfile } from '../engine/build/frontend.ts';
import { buildOnEngine, engineStreamError } from '../providers/engine-api/desktop-calls.ts';
import type { EngineApiProvider } from '../providers/engine-api/provider.ts';
import { contextDir, dockerfileIn } from './build-context.ts';
import type { StreamContext } from './stream-context.ts';

/** What a step read, as Strata recorded it: enough to say why it missed the next time. */
interface StepRecord {
  instruction: string;
  /** Build args a RUN sees. */
  args?: Record<string, string>;
  /** COPY/ADD from the context: path → content digest. */
  files?: Record<string, string>;
  /** The image ID a FROM resolved to. */
  image?: string;
}

/** The last inputs of each step of one folder's Dockerfile built on one engine, in `<store>/cache/engine-builds/`. */
export class EngineBuildRecords {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  private file(engine: string, context: string, dockerfile: string): string {
    return join(this.dir, `${createHash('sha256').update(`${engine}\0${context}\0${dockerfile}`).digest('hex')}.json`);
  }

  read(engine: string, context: string, dockerfile: string): StepRecord[] | undefined {
    try {
      const parsed = JSON.parse(readFileSync(this.file(engine, context, dockerfile), 'utf8')) as { steps?: StepRecord[] };
      return Array.isArray(parsed.steps) ? parsed.steps : undefined;
    } catch {
      return undefined;
    }
  }

  write(engine: string, context: string, dockerfile: string, steps: StepRecord[]): void {
    mkdirSync(this.dir, { recursive: true });
    const file = this.file(engine, context, dockerfile);
    const tmp = `${file}.${randomUUID()}.tmp`;
    writeFileSync(tmp, JSON.stringify({ steps }));
    renameSync(tmp, file);
  }
}

/** The Dockerfile's instructions in the classic builder's step order (global ARGs, then each stage's FROM and commands). */
function instructionsOf(text: string): { kind: string; sources?: string[] }[] {
  try {
    const parsed = parseDockerfile(text, { lint: false });
    return [
      ...parsed.globalArgs.map(() => ({ kind: 'arg' })),
      ...parsed.stages.flatMap((s) => [
        { kind: 'from' },
        ...s.commands.map((c) => (c.kind === 'add' || (c.kind === 'copy' && c.from === '') ? { kind: c.kind, sources: c.sourcePaths } : { kind: c.kind })),
      ]),
    ];
  } catch {
    // The engine reports a Dockerfile it cannot parse; the estimate just has nothing to compare.
    return [];
  }
}

/** Content digests of what a COPY/ADD reads from the context, as Strata's cache keys them; undefined when it cannot tell (variables, a missing source). */
async function filesRead(ctx: BuildContext, sources: string[], cache: DigestCache | undefined): Promise<Record<string, string> | undefined> {
  const tree = contextTree(ctx);
  try {
    const entries: WalkEntry[] = [];
    for (const s of sources) {
      if (s.includes('$') || /^[a-z]+:\/\//i.test(s)) return undefined;
      for (const m of matchSources(tree, s)) entries.push(...walkSource(tree, followSource(tree, m)));
    }
    return (await sourceChecksum(tree, entries, cache)).files;
  } catch {
    return undefined;
  }
}

interface LiveStep {
  n: number;
  total: number;
  instruction: string;
  startedAt: number;
  cached: boolean;
  record: StepRecord;
}

/** Why a step the engine ran again missed, by Strata's record of the last build (first match wins, as Strata's own cache explains). */
export function estimateMiss(step: StepRecord, prev: StepRecord | undefined, before: { missed?: string; baseChanged: boolean; noCache: boolean }): BuildMissCause {
  if (before.noCache) return { code: 'no-cache' };
  if (!prev?.instruction) return { code: 'first-build' };
  if (prev.instruction !== step.instruction) return { code: 'instruction-changed' };
  if (step.files && prev.files) {
    const changes = fileChangeList(prev.files, step.files);
    if (changes.length > 0) return { code: 'files-changed', files: changes.slice(0, 5), more: Math.max(0, changes.length - 5) };
  }
  const args = new Set([...Object.keys(prev.args ?? {}), ...Object.keys(step.args ?? {})]);
  const changedArgs = [...args].filter((a) => prev.args?.[a] !== step.args?.[a]).sort();
  if (changedArgs.length > 0) return { code: 'build-arg-changed', names: changedArgs };
  if (before.missed) return { code: 'parent-missed', step: before.missed };
  if (before.baseChanged) return { code: 'base-image-changed' };
  return { code: 'not-in-cache' };
}

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;

/** Follows the classic builder's output line by line and says what each line means for the panel. */
class ClassicBuildSteps {
  private current: LiveStep | undefined;
  private pending = '';
  private missed: string | undefined;
  private baseChanged = false;
  private readonly prev: StepRecord[] | undefined;
  private readonly noCache: boolean;
  private readonly inputs: (n: number, instruction: string) => Promise<StepRecord>;
  private readonly emit: (e: BuildEvent) => void;
  imageId = '';
  /** Each completed step's inputs, by step number - 1. */
  readonly records: (StepRecord | undefined)[] = [];

  constructor(prev: StepRecord[] | undefined, noCache: boolean, inputs: (n: number, instruction: string) => Promise<StepRecord>, emit: (e: BuildEvent) => void) {
    this.prev = prev;
    this.noCache = noCache;
    this.inputs = inputs;
    this.emit = emit;
  }

  async message(m: DockerJsonMessage): Promise<void> {
    if (m.error || m.errorDetail) {
      const message = (m.errorDetail?.message ?? m.error ?? 'the build failed').trim();
      this.emit({ type: 'error', message, ...(this.current ? { n: this.current.n } : {}) });
      throw engineStreamError(message, 'invalid');
    }
    const aux = m.aux as { ID?: string } | undefined;
    if (aux?.ID) this.imageId = aux.ID;
    this.pending += m.stream ?? '';
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      await this.line(line);
    }
  }

  private async line(line: string): Promise<void> {
    const step = STEP.exec(line);
    if (step) return this.start(Number(step[1]), Number(step[2]), step[3]!);
    const s = this.current;
    if (!s) {
      if (line.trim()) this.emit({ type: 'message', text: line });
      return;
    }
    if (line === ' ---> Using cache') {
      s.cached = true;
      this.emit({ type: 'step', n: s.n, name: '', stage: '', state: 'cached' });
      return;
    }
    const result = /^ ---> ([0-9a-f]{12})$/.exec(line);
    if (result) return this.finish(s, result[1]!);
    if (/^ ---> Running in [0-9a-f]+$/.test(line) || /^Removing intermediate container [0-9a-f]+$/.test(line)) return;
    this.emit({ type: 'log', n: s.n, text: `${line}\n` });
  }

  private async start(n: number, total: number, instruction: string): Promise<void> {
    this.current = { n, total, instruction, startedAt: Date.now(), cached: false, record: await this.inputs(n, instruction) };
    this.emit({ type: 'step', n, name: instruction, stage: '', state: 'running', position: n, total });
  }

  /** ` ---> ID`: the step's image; without `Using cache` before it, the step ran again. */
  private finish(s: LiveStep, id: string): void {
    const isFrom = /^from\s/i.test(s.instruction);
    if (isFrom) s.record.image = id;
    this.records[s.n - 1] = s.record;
    const prev = this.prev?.[s.n - 1] ?? undefined;
    if (isFrom) {
      if (prev?.image && prev.image !== id) this.baseChanged = true;
    } else if (!s.cached) {
      const cause = estimateMiss(s.record, prev, { ...(this.missed ? { missed: this.missed } : {}), baseChanged: this.baseChanged, noCache: this.noCache });
      this.emit({ type: 'step', n: s.n, name: '', stage: '', state: 'running', missCause: { ...cause, instruction: s.instruction }, missSource: 'strata-estimate' });
      this.missed ??= `[${s.n}/${s.total}]`;
    }
    this.emit({ type: 'step', n: s.n, name: '', stage: '', state: s.cached ? 'cached' : 'done', durationMs: Date.now() - s.startedAt });
    this.current = undefined;
  }
}

/**
 * Builds the folder on the engine. The engine's classic builder answers `/build` here (BuildKit
 * over the API needs a gRPC session Strata does not speak); its tags, args, target and no-cache are docker's.
 */
export async function buildOnEngineProvider(
  provider: EngineApiProvider, p: StreamParams<'build.run'>, ctx: StreamContext<BuildEvent>, records: EngineBuildRecords, digests?: DigestCache,
): Promise<{ id: string; buildId: string }> {
  const dir = contextDir(p.path);
  const build = openContext(dir, dockerfileIn(dir, p.dockerfile));
  const instructions = instructionsOf(build.dockerfileText);
  const prev = records.read(provider.name, dir, build.dockerfile);
  const inputs = async (n: number, instruction: string): Promise<StepRecord> => {
    const ins = instructions[n - 1];
    const files = ins?.sources && instruction.toLowerCase().startsWith(ins.kind) ? await filesRead(build, ins.sources, digests) : undefined;
    return { instruction, ...(/^run\s/i.test(instruction) ? { args: p.buildArgs } : {}), ...(files ? { files } : {}) };
  };
  const steps = new ClassicBuildSteps(prev, p.noCache, inputs, (e) => ctx.emit(e));
  const tar = contextTar(dir, build.dockerfile);
  try {
    for await (const m of buildOnEngine(await provider.client, tar.stream, {
      dockerfile: tar.dockerfile, tags: p.tags, buildArgs: p.buildArgs, noCache: p.noCache, signal: ctx.signal, ...(p.target ? { target: p.target } : {}),
    })) await steps.message(m);
  } finally {
    tar.stream.destroy();
    // Steps that completed are in the engine's cache whatever happened after them.
    const length = Math.max(prev?.length ?? 0, steps.records.length);
    const merged = Array.from({ length }, (_, i) => steps.records[i] ?? prev?.[i] ?? { instruction: '' });
    if (steps.records.length > 0) records.write(provider.name, dir, build.dockerfile, merged);
  }
  if (!steps.imageId) throw new StrataError('internal', 'the engine ended the build without an image ID');
  return { id: steps.imageId, buildId: '' };
}
