/**
 * The build panel's side of the contract: runs the engine's builder with its events mapped to the
 * contract's BuildEvent, and reads build history with the instruction-order advice drawn from it.
 */
import type { Engine } from '../engine/engine.ts';
import { build, type BuildEvent as EngineBuildEvent } from '../engine/build/builder.ts';
import { BuildHistory } from '../engine/build/history-store.ts';
import { adviseOrder } from '../engine/build/advisor.ts';
import type { BuildAdvice, BuildEvent, BuildSummary, StreamParams } from '../../shared/contract.ts';
import { contextDir, dockerfileIn } from './build-context.ts';
import type { StreamContext } from './stream-context.ts';

/** The engine's event as the contract's; `vertex` carries the step's identity, later events its state. */
export function toContractEvent(e: EngineBuildEvent): BuildEvent | undefined {
  switch (e.type) {
    case 'vertex':
      return {
        type: 'step', n: e.n, name: e.name, stage: e.stage ?? '', state: 'running',
        ...(e.position !== undefined ? { position: e.position } : {}), ...(e.total !== undefined ? { total: e.total } : {}),
      };
    case 'cached':
      return { type: 'step', n: e.n, name: '', stage: '', state: 'cached' };
    case 'miss':
      return { type: 'step', n: e.n, name: '', stage: '', state: 'running', missReason: e.reason, missCause: e.cause };
    case 'done':
      return { type: 'step', n: e.n, name: '', stage: '', state: 'done', durationMs: Math.round(e.durationMs) };
    case 'log':
      return { type: 'log', n: e.n, text: e.text };
    case 'status':
      return { type: 'log', n: e.n, text: `${e.text}\n` };
    case 'error':
      return { type: 'error', message: e.message, ...(e.n !== undefined ? { n: e.n } : {}), ...(e.line !== undefined ? { line: e.line } : {}) };
    case 'warning':
      return { type: 'message', text: e.message };
    default:
      return undefined;
  }
}

export async function runBuild(engine: Engine, p: StreamParams<'build.run'>, ctx: StreamContext<BuildEvent>): Promise<{ id: string; buildId: string }> {
  const dir = contextDir(p.path);
  const res = await build(engine, {
    context: dir,
    dockerfile: dockerfileIn(dir, p.dockerfile),
    tags: p.tags,
    buildArgs: p.buildArgs,
    ...(p.target ? { target: p.target } : {}),
    noCache: p.noCache,
    signal: ctx.signal,
    onEvent: (e) => {
      const mapped = toContractEvent(e);
      if (mapped) ctx.emit(mapped);
    },
  });
  return { id: res.imageId, buildId: res.buildId };
}

const ADVICE_BUILDS = 10;

/** The engine advisor's suggestions for recent builds of this Dockerfile, as plain contract data. */
export function buildAdvice(engine: Engine, context: string, dockerfile: string): BuildAdvice[] {
  return adviseOrder(engine, { context, dockerfile }, ADVICE_BUILDS).suggestions.map((s) => ({
    stage: s.stage, line: s.line, instruction: s.instruction, changedBuilds: s.changedBuilds, comparedBuilds: s.comparedBuilds,
    stableBelow: s.stableBelow.map((o) => ({ line: o.line, instruction: o.instruction, meanMs: Math.round(o.meanMs), meanBytes: Math.round(o.meanBytes) })),
    savedMs: Math.round(s.savedMs), savedBytes: Math.round(s.savedBytes), message: s.message,
  }));
}

export function buildHistory(engine: Engine, path: string, dockerfile: string): { builds: BuildSummary[]; advice: BuildAdvice[] } {
  const dir = contextDir(path);
  const history = new BuildHistory(engine.db);
  const file = dockerfileIn(dir, dockerfile || 'Dockerfile');
  const records = history.list({ context: dir, dockerfile: file, limit: 20 });
  const builds: BuildSummary[] = records.map((r) => ({
    id: r.id, context: r.context, dockerfile: r.dockerfile, tags: r.tags, startedAt: r.startedAt, finishedAt: r.finishedAt, status: r.status,
    imageId: r.imageId, error: r.error,
    steps: history.steps(r.id).map((s) => ({
      n: s.n, stage: s.stage, position: s.position, total: s.total, instruction: s.instruction, status: s.status, reason: s.reason,
      selfChanged: s.selfChanged, durationMs: s.durationMs, size: s.size,
    })),
  }));
  return { builds, advice: buildAdvice(engine, dir, file) };
}
