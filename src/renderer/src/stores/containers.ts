import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ContainerChange, ContainerSummary } from '../../../shared/contract.ts';
import { useApi } from '../api.ts';
import { type UiError, uiError } from '../errors.ts';
import { refreshOnChange } from '../on-change.ts';

export type ContainerTab = 'logs' | 'terminal' | 'files' | 'diff' | 'inspect';

/** The tab a container opens on: its terminal when the app runs it, else its logs (opening never starts it). */
export function defaultTab(c: Pick<ContainerSummary, 'state' | 'attached'>): ContainerTab {
  return c.state === 'running' && c.attached ? 'terminal' : 'logs';
}

export const useContainersStore = defineStore('containers', () => {
  const api = useApi();
  const containers = ref<ContainerSummary[]>([]);
  const loaded = ref(false);
  const selectedId = ref<string | null>(null);
  const tab = ref<ContainerTab>('logs');
  /** Containers with a stop, start or restart under way (stop waits out the grace period). */
  const pending = ref<Record<string, 'stopping' | 'starting' | 'restarting'>>({});
  const filter = ref('');
  const changes = ref<ContainerChange[]>([]);
  const error = ref<UiError | null>(null);
  /** Set when the run dialog should open prefilled with this image. */
  const runImage = ref<string | null>(null);

  const selected = computed(() => containers.value.find((c) => c.id === selectedId.value) ?? null);
  const shown = computed(() => filterContainers(containers.value, filter.value));

  function open(id: string): void {
    if (selectedId.value === id) return;
    selectedId.value = id;
    const c = containers.value.find((x) => x.id === id);
    if (c) tab.value = defaultTab(c);
  }

  async function refresh(): Promise<void> {
    try {
      containers.value = await api.call('containers.list', { all: true });
      error.value = null;
    } catch (err) {
      error.value = uiError(err);
    } finally {
      loaded.value = true;
    }
  }

  async function loadDiff(): Promise<void> {
    if (!selectedId.value) return;
    try {
      changes.value = await api.call('containers.diff', { id: selectedId.value });
    } catch (err) {
      error.value = uiError(err);
    }
  }

  async function create(image: string, name: string, command: string[], env: string[], ports: string[] = []): Promise<string> {
    const { id } = await api.call('containers.create', { image, name, command, env, ...(ports.length > 0 ? { ports } : {}) });
    await api.call('containers.start', { id });
    await refresh();
    selectedId.value = id;
    tab.value = 'terminal';
    return id;
  }

  /** docker rm [-f]: without force the engine refuses a running container. */
  async function remove(id: string, force: boolean): Promise<void> {
    await api.call('containers.remove', { id, force });
    if (selectedId.value === id) selectedId.value = null;
    await refresh();
  }

  /** Runs a state change, marking the row while it is under way; errors go to the banner. */
  async function transition(id: string, what: 'stopping' | 'starting' | 'restarting', call: () => Promise<unknown>): Promise<void> {
    pending.value = { ...pending.value, [id]: what };
    try {
      await call();
      error.value = null;
    } catch (err) {
      error.value = uiError(err);
    } finally {
      const { [id]: _done, ...rest } = pending.value;
      pending.value = rest;
      await refresh();
    }
    const c = containers.value.find((x) => x.id === id);
    if (c && selectedId.value === id) tab.value = defaultTab(c);
  }

  const stop = (id: string) => transition(id, 'stopping', () => api.call('containers.stop', { id }));
  const start = (id: string) => transition(id, 'starting', () => api.call('containers.start', { id }));
  const restart = (id: string) => transition(id, 'restarting', () => api.call('containers.restart', { id }));

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

  return {
    containers, shown, filter, loaded, selectedId, selected, tab, pending, changes, error, runImage,
    refresh, open, loadDiff, create, remove, stop, start, restart, commit, subscribe,
  };
});

/** Splits a command line the simple way people type it (quotes group words). */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** The containers filter: a substring of the name, image, ID or command. */
export function filterContainers(list: readonly ContainerSummary[], text: string): ContainerSummary[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return [...list];
  return list.filter((c) => [c.names[0] ?? '', c.image, c.id, c.command].some((f) => f.toLowerCase().includes(needle)));
}
