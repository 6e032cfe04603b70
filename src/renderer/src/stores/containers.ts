import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ContainerChange, ContainerSummary } from '../../../shared/contract.ts';
import { useApi } from '../api.ts';
import { refreshOnChange } from '../on-change.ts';

export type ContainerTab = 'terminal' | 'files' | 'diff';

export const useContainersStore = defineStore('containers', () => {
  const api = useApi();
  const containers = ref<ContainerSummary[]>([]);
  const loaded = ref(false);
  const selectedId = ref<string | null>(null);
  const tab = ref<ContainerTab>('terminal');
  const changes = ref<ContainerChange[]>([]);
  const error = ref('');
  /** Set when the run dialog should open prefilled with this image. */
  const runImage = ref<string | null>(null);

  const selected = computed(() => containers.value.find((c) => c.id === selectedId.value) ?? null);

  async function refresh(): Promise<void> {
    try {
      containers.value = await api.call('containers.list', { all: true });
      error.value = '';
    } catch (err) {
      error.value = (err as Error).message;
    } finally {
      loaded.value = true;
    }
  }

  async function loadDiff(): Promise<void> {
    if (!selectedId.value) return;
    try {
      changes.value = await api.call('containers.diff', { id: selectedId.value });
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  async function create(image: string, name: string, command: string[], env: string[]): Promise<string> {
    const { id } = await api.call('containers.create', { image, name, command, env });
    await refresh();
    selectedId.value = id;
    tab.value = 'terminal';
    return id;
  }

  async function remove(id: string): Promise<void> {
    await api.call('containers.remove', { id, force: true });
    if (selectedId.value === id) selectedId.value = null;
    await refresh();
  }

  async function stop(id: string): Promise<void> {
    await api.call('containers.stop', { id });
    await refresh();
  }

  async function commit(repository: string, message: string, author: string, changeLines: string[]): Promise<string> {
    if (!selectedId.value) throw new Error('no container selected');
    const { id } = await api.call('containers.commit', { id: selectedId.value, repository, message, author, changes: changeLines });
    return id;
  }

  let subscribed = false;
  function subscribe(): void {
    if (subscribed) return;
    subscribed = true;
    // Once per burst (run announces create, attach, start, die); the open diff follows its container.
    let diffChanged = false;
    refreshOnChange(api, (e) => {
      if (e.kind !== 'container') return false;
      diffChanged ||= e.id === selectedId.value;
      return true;
    }, async () => {
      await refresh();
      if (diffChanged && tab.value === 'diff') await loadDiff();
      diffChanged = false;
    });
  }

  return { containers, loaded, selectedId, selected, tab, changes, error, runImage, refresh, loadDiff, create, remove, stop, commit, subscribe };
});

/** Splits a command line the simple way people type it (quotes group words). */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}
