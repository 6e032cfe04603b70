import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { PruneAction, PruneActions, SystemDf } from '../../../shared/contract.ts';
import { useApi } from '../api.ts';

export interface SharedLayerGroup {
  /** Images (short names) sharing these layers. */
  images: string[];
  layers: number;
  size: number;
}

export const useDiskStore = defineStore('disk', () => {
  const api = useApi();
  const df = ref<SystemDf | null>(null);
  /** What each prune would free (docker's bytes); running it frees exactly this. */
  const actions = ref<PruneActions | null>(null);
  const error = ref('');
  const loading = ref(false);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      [df.value, actions.value] = await Promise.all([api.call('system.df', {}), api.call('system.prunePreview', {})]);
      error.value = '';
    } catch (err) {
      error.value = (err as Error).message;
    } finally {
      loading.value = false;
    }
  }

  const row = (type: string) => computed(() => df.value?.rows.find((r) => r.type === type) ?? null);
  const imagesRow = row('Images');
  const containersRow = row('Containers');
  const cacheRow = row('Build Cache');
  /** What `images` adds up to minus what is really stored: bytes counted more than once. */
  const doubleCounted = computed(() => (df.value ? df.value.imagesTotal - df.value.usage.layersSize : 0));
  const largest = computed(() => Math.max(1, ...(df.value?.usage.images.map((i) => i.size) ?? [1])));

  /** Runs one prune action; returns the bytes it freed. */
  async function prune(action: PruneAction): Promise<number> {
    const res = await api.call('system.prune', { action });
    await refresh();
    return res.spaceReclaimed;
  }

  return { df, actions, error, loading, refresh, prune, imagesRow, containersRow, cacheRow, doubleCounted, largest };
});
