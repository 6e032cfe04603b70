import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { SystemDf } from '../../../shared/contract.ts';
import { useApi } from '../api.ts';
import { type UiError, uiError } from '../errors.ts';

export interface SharedLayerGroup {
  /** Images (short names) sharing these layers. */
  images: string[];
  layers: number;
  size: number;
}

export const useDiskStore = defineStore('disk', () => {
  const api = useApi();
  const df = ref<SystemDf | null>(null);
  const error = ref<UiError | null>(null);
  const loading = ref(false);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      df.value = await api.call('system.df', {});
      error.value = null;
    } catch (err) {
      error.value = uiError(err);
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
  const reclaimable = computed(() => (imagesRow.value?.reclaimable ?? 0) + (containersRow.value?.reclaimable ?? 0) + (cacheRow.value?.reclaimable ?? 0));

  return { df, error, loading, refresh, imagesRow, containersRow, cacheRow, doubleCounted, largest, reclaimable };
});
