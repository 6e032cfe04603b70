import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { BuildAdvice, BuildContextInfo, BuildEvent, BuildStepEvent, BuildSummary } from '../../../shared/contract.ts';
import type { StreamHandle } from '../../../shared/client.ts';
import { useApi } from '../api.ts';
import { type UiError, uiError } from '../errors.ts';

export interface StepView extends BuildStepEvent {
  logs: string[];
}

const PATH_KEY = 'strata.build.path';

export const useBuildStore = defineStore('build', () => {
  const api = useApi();
  const path = ref(localStorage.getItem(PATH_KEY) ?? '');
  const context = ref<BuildContextInfo | null>(null);
  const text = ref('');
  const saved = ref('');
  const tags = ref('');
  const buildArgs = ref<{ key: string; value: string }[]>([]);
  const target = ref('');
  const noCache = ref(false);
  const steps = ref<StepView[]>([]);
  const messages = ref<string[]>([]);
  const running = ref(false);
  const resultId = ref('');
  const error = ref<UiError | null>(null);
  const history = ref<BuildSummary[]>([]);
  const advice = ref<BuildAdvice[]>([]);
  const failure = ref<{ message: string; line?: number } | null>(null);
  /** The failed build's error (the folder's own errors are `error`). */
  const buildError = ref<UiError | null>(null);
  const recent = ref<string[]>([]);
  /** The Dockerfile text the advice's line numbers refer to. */
  const adviceText = ref('');
  const startedAt = ref(0);
  const elapsedMs = ref(0);
  let handle: StreamHandle<{ id: string; buildId: string }> | null = null;
  let ticker: ReturnType<typeof setInterval> | undefined;

  const dirty = computed(() => text.value !== saved.value);
  /** Advice whose lines still match the text in the editor (an edit moves lines: it is hidden until the next build). */
  const adviceCurrent = computed(() => text.value === adviceText.value);
  /** The tags field: names separated by commas; a name with a space in it is refused, never split. */
  const tagList = computed(() => tags.value.split(',').map((t) => t.trim()).filter(Boolean));
  const badTag = computed(() => tagList.value.find((t) => /\s/.test(t)) ?? '');
  /** The line the build failed at (a parse error or a failed step), for the editor's mark. */
  const failedLine = computed(() => failure.value?.line ?? (typeof buildError.value?.details?.line === 'number' ? buildError.value.details.line : undefined));
  /** Steps finished of the steps known so far, as BuildKit's `(n/m)`: each stage's count once. */
  const stepCount = computed(() => {
    const totals = new Map<string, number>();
    let done = 0;
    for (const s of steps.value) {
      if (s.total === undefined) continue;
      totals.set(s.stage, Math.max(totals.get(s.stage) ?? 0, s.total));
      if (s.state === 'cached' || s.state === 'done') done += 1;
    }
    return { done, total: [...totals.values()].reduce((a, b) => a + b, 0) };
  });

  async function openContext(p = path.value): Promise<void> {
    error.value = null;
    path.value = p.trim();
    try {
      const before = context.value?.path;
      context.value = await api.call('build.context', { path: path.value });
      // Another folder: the last build's steps, failure and result were about the previous one.
      if (context.value.path !== before) clearRun();
      text.value = context.value.dockerfileText;
      saved.value = text.value;
      localStorage.setItem(PATH_KEY, path.value);
      await loadHistory();
    } catch (err) {
      // Nothing of the previous folder stays on screen beside an error about this one.
      context.value = null;
      buildError.value = null;
      history.value = [];
      advice.value = [];
      steps.value = [];
      resultId.value = '';
      failure.value = null;
      error.value = uiError(err);
    }
    void loadRecent();
  }

  function clearRun(): void {
    steps.value = [];
    messages.value = [];
    resultId.value = '';
    failure.value = null;
    buildError.value = null;
    elapsedMs.value = 0;
  }

  /** The folders of recent builds (kept in the store, so the CLI's builds count too). */
  async function loadRecent(): Promise<void> {
    try {
      recent.value = await api.call('build.recent', {});
    } catch {
      recent.value = [];
    }
  }

  async function loadHistory(): Promise<void> {
    if (!context.value) return;
    try {
      const res = await api.call('build.history', { path: context.value.path, dockerfile: context.value.dockerfile });
      history.value = res.builds;
      advice.value = res.advice;
      adviceText.value = saved.value;
    } catch {
      // History is a convenience: a build panel without it still builds.
      history.value = [];
      advice.value = [];
    }
  }

  async function saveDockerfile(): Promise<void> {
    if (!context.value) return;
    await api.call('build.writeDockerfile', { path: context.value.path, dockerfile: context.value.dockerfile, text: text.value });
    saved.value = text.value;
  }

  function onEvent(e: BuildEvent): void {
    if (e.type === 'message') messages.value.push(e.text);
    else if (e.type === 'error') {
      failure.value = { message: e.message, ...(e.line !== undefined ? { line: e.line } : {}) };
      const step = e.n !== undefined ? steps.value.find((s) => s.n === e.n) : steps.value.findLast((s) => s.state === 'running');
      if (step) step.state = 'error';
    } else if (e.type === 'log') steps.value.find((s) => s.n === e.n)?.logs.push(e.text);
    else {
      const existing = steps.value.find((s) => s.n === e.n);
      if (!existing) {
        steps.value.push({ ...e, logs: [] });
        return;
      }
      // Later events for a step carry only what changed.
      if (e.missReason) existing.missReason = e.missReason;
      if (e.missCause) existing.missCause = e.missCause;
      if (e.durationMs !== undefined) existing.durationMs = e.durationMs;
      if (e.state === 'cached' || (e.state === 'done' && existing.state !== 'cached')) existing.state = e.state;
    }
  }

  async function build(): Promise<void> {
    if (!context.value || badTag.value) return;
    if (dirty.value) await saveDockerfile();
    steps.value = [];
    messages.value = [];
    resultId.value = '';
    error.value = null;
    buildError.value = null;
    failure.value = null;
    running.value = true;
    startedAt.value = Date.now();
    elapsedMs.value = 0;
    ticker = setInterval(() => (elapsedMs.value = Date.now() - startedAt.value), 100);
    const args = Object.fromEntries(buildArgs.value.filter((a) => a.key.trim()).map((a) => [a.key.trim(), a.value]));
    handle = api.stream(
      'build.run',
      { path: context.value.path, dockerfile: context.value.dockerfile, tags: tagList.value, buildArgs: args, target: target.value.trim(), noCache: noCache.value },
      onEvent,
    );
    try {
      resultId.value = (await handle.done).id;
    } catch (err) {
      buildError.value = uiError(err);
    } finally {
      clearInterval(ticker);
      elapsedMs.value = Date.now() - startedAt.value;
      running.value = false;
      handle = null;
      for (const s of steps.value) if (s.state === 'running') s.state = buildError.value ? 'error' : 'done';
      await loadHistory();
      void loadRecent();
    }
  }

  function cancel(): void {
    handle?.cancel();
  }

  return {
    path, context, text, saved, tags, buildArgs, target, noCache, steps, messages, running, resultId, error, failure, history, advice, dirty,
    recent, buildError, adviceCurrent, tagList, badTag, failedLine, stepCount, elapsedMs, openContext, loadHistory, loadRecent, saveDockerfile, build, cancel,
  };
});
