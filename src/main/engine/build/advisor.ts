/**
 * The instruction-order advisor: from the recorded builds of one Dockerfile, find steps whose own
 * inputs change often but sit above steps that never change — every change then reruns those
 * stable steps too (a parent-keyed cache invalidates everything below a miss). Moving the
 * volatile step below them saves their time and layer bytes on each such rebuild.
 */
import type { Stores } from '../stores.ts';
import { BuildHistory, type BuildStepRecord } from './history-store.ts';
import { humanSize } from '../../../shared/units.ts';

export interface StableStep {
  line: number;
  instruction: string;
  /** Mean duration when the step ran (ms). */
  meanMs: number;
  /** Mean layer size it adds (bytes). */
  meanBytes: number;
}

export interface OrderSuggestion {
  stage: string;
  line: number;
  instruction: string;
  /** Builds (after the first) in which the step's own inputs changed. */
  changedBuilds: number;
  /** Builds compared (the first build of a Dockerfile has nothing to compare with). */
  comparedBuilds: number;
  stableBelow: StableStep[];
  /** Time and bytes a rebuild after a change of this step would save with the step moved below. */
  savedMs: number;
  savedBytes: number;
  message: string;
}

export interface Advice {
  builds: number;
  suggestions: OrderSuggestion[];
}

interface StepStats {
  stage: string;
  position: number;
  line: number;
  instruction: string;
  kind: string;
  seen: number;
  changed: number;
  ranMs: number[];
  bytes: number[];
}

/** A step may move below another only inside its stage; FROM and ARG/ENV that others may use stay put. */
function movable(s: StepStats): boolean {
  return s.position > 1 && !/^(ARG|FROM|ONBUILD)\b/.test(s.instruction);
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Analyses up to `limit` recorded successful builds of a Dockerfile (context + path). */
export function adviseOrder(engine: Pick<Stores, 'db'>, target: { context: string; dockerfile: string }, limit = 50): Advice {
  const history = new BuildHistory(engine.db);
  const builds = history.list({ context: target.context, dockerfile: target.dockerfile, limit }).filter((b) => b.status === 'success').reverse();
  const stats = new Map<string, StepStats>();
  builds.forEach((b, i) => {
    for (const s of history.steps(b.id)) collect(stats, s, i > 0);
  });
  const suggestions: OrderSuggestion[] = [];
  const compared = Math.max(0, builds.length - 1);
  for (const s of stats.values()) {
    if (!movable(s) || compared === 0 || s.changed === 0 || s.changed * 2 < compared) continue;
    const below = [...stats.values()]
      .filter((o) => o.stage === s.stage && o.position > s.position && o.changed === 0 && o.seen > 1 && movable(o))
      .sort((a, b) => a.position - b.position);
    // Only the unbroken run of stable steps right below can be jumped over without reordering others.
    const run: StepStats[] = [];
    for (const o of below) {
      if (o.position !== s.position + run.length + 1) break;
      run.push(o);
    }
    if (run.length === 0) continue;
    const stableBelow = run.map((o) => ({ line: o.line, instruction: o.instruction, meanMs: mean(o.ranMs), meanBytes: mean(o.bytes) }));
    const savedMs = stableBelow.reduce((a, o) => a + o.meanMs, 0);
    const savedBytes = stableBelow.reduce((a, o) => a + o.meanBytes, 0);
    suggestions.push({
      stage: s.stage, line: s.line, instruction: s.instruction, changedBuilds: s.changed, comparedBuilds: compared, stableBelow, savedMs, savedBytes,
      message:
        `line ${s.line}: "${s.instruction}" changed in ${s.changed} of ${compared} rebuilds and sits above ${run.length} stable step${run.length === 1 ? '' : 's'} ` +
        `(${run.map((o) => `line ${o.line} ${o.instruction}`).join('; ')}); moving it below them would save about ${(savedMs / 1000).toFixed(1)}s ` +
        `and ${humanSize(savedBytes)} of rebuilt layers per change`,
    });
  }
  suggestions.sort((a, b) => b.savedMs - a.savedMs || b.savedBytes - a.savedBytes || a.line - b.line);
  return { builds: builds.length, suggestions };
}

function collect(stats: Map<string, StepStats>, s: BuildStepRecord, compare: boolean): void {
  const key = `${s.stage}#${s.position}`;
  let st = stats.get(key);
  if (!st) {
    st = { stage: s.stage, position: s.position, line: s.line, instruction: s.instruction, kind: s.instruction.split(' ')[0] ?? '', seen: 0, changed: 0, ranMs: [], bytes: [] };
    stats.set(key, st);
  }
  st.seen++;
  st.line = s.line;
  st.instruction = s.instruction;
  if (compare && s.selfChanged) st.changed++;
  if (!s.cached && s.status === 'done') {
    st.ranMs.push(s.durationMs);
    st.bytes.push(s.size);
  }
}
