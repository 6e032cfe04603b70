import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { BuildContextInfo, BuildEvent, BuildStepEvent } from '../../../shared/contract.ts';
import type { StreamHandle } from '../../../shared/client.ts';
import { useApi } from '../api.ts';

export interface StepView extends BuildStepEvent {
  logs: string[];
}

export interface BuildRecord {
  path: string;
  tags: string[];
  imageId: string;
  steps: number;
  cached: number;
  finishedAt: number;
  error: string;
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
  const error = ref('');
  const history = ref<BuildRecord[]>([]);
  let handle: StreamHandle<{ id: string }> | null = null;

  const dirty = computed(() => text.value !== saved.value);

  async function openContext(p = path.value): Promise<void> {
    error.value = '';
    path.value = p.trim();
    try {
      context.value = await api.call('build.context', { path: path.value });
      text.value = context.value.dockerfileText;
      saved.value = text.value;
      localStorage.setItem(PATH_KEY, path.value);
    } catch (err) {
      context.value = null;
      error.value = (err as Error).message;
    }
  }

  async function saveDockerfile(): Promise<void> {
    if (!context.value) return;
    await api.call('build.writeDockerfile', { path: context.value.path, dockerfile: context.value.dockerfile, text: text.value });
    saved.value = text.value;
  }

  function onEvent(e: BuildEvent): void {
    if (e.type === 'message') messages.value.push(e.text);
    else if (e.type === 'log') steps.value.find((s) => s.index === e.index)?.logs.push(e.text);
    else {
      const existing = steps.value.find((s) => s.index === e.index);
      if (existing) Object.assign(existing, e);
      else steps.value.push({ ...e, logs: [] });
    }
  }

  async function build(): Promise<void> {
    if (!context.value) return;
    if (dirty.value) await saveDockerfile();
    steps.value = [];
    messages.value = [];
    resultId.value = '';
    error.value = '';
    running.value = true;
    const tagList = tags.value.split(/[\s,]+/).filter(Boolean);
    const args = Object.fromEntries(buildArgs.value.filter((a) => a.key.trim()).map((a) => [a.key.trim(), a.value]));
    handle = api.stream(
      'build.run',
      { path: context.value.path, dockerfile: context.value.dockerfile, tags: tagList, buildArgs: args, target: target.value.trim(), noCache: noCache.value },
      onEvent,
    );
    try {
      resultId.value = (await handle.done).id;
    } catch (err) {
      error.value = (err as Error).message;
    } finally {
      running.value = false;
      handle = null;
      history.value.unshift({
        path: context.value.path, tags: tagList, imageId: resultId.value, steps: steps.value.length,
        cached: steps.value.filter((s) => s.state === 'cached').length, finishedAt: Math.floor(Date.now() / 1000), error: error.value,
      });
    }
  }

  function cancel(): void {
    handle?.cancel();
  }

  return {
    path, context, text, saved, tags, buildArgs, target, noCache, steps, messages, running, resultId, error, history, dirty,
    openContext, saveDockerfile, build, cancel,
  };
});
