import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { EngineEntry } from '../../../shared/contract.ts';
import { useApi } from '../api.ts';
import { type UiError, uiError } from '../errors.ts';
import { useAppStore } from './app.ts';

/** The engines the sidebar offers (Strata's store plus every Docker/Podman engine found) and the switch between them. */
export const useEnginesStore = defineStore('engines', () => {
  const api = useApi();
  const app = useAppStore();
  const engines = ref<EngineEntry[]>([]);
  const loading = ref(false);
  const switching = ref(false);
  const error = ref<UiError | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      engines.value = await api.call('engines.list', {});
      error.value = null;
    } catch (err) {
      error.value = uiError(err);
    } finally {
      loading.value = false;
    }
  }

  /** Shows the views on `id`: the host reconnects, then the views reload from the new engine. */
  async function use(id: string): Promise<void> {
    switching.value = true;
    try {
      const chosen = await api.call('engines.use', { id });
      engines.value = engines.value.map((e) => (e.id === chosen.id ? chosen : { ...e, current: false }));
      error.value = null;
      await app.load();
    } catch (err) {
      error.value = uiError(err);
    } finally {
      switching.value = false;
    }
  }

  return { engines, loading, switching, error, load, use };
});
