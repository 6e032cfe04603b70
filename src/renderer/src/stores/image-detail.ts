import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { HistoryEntry, ImageDetail, LayerInfo, LayerTree } from '../../../shared/contract.ts';
import { useApi } from '../api.ts';
import { refreshOnChange } from '../on-change.ts';

export type DetailTab = 'history' | 'layers' | 'files' | 'inspect';

export const useImageDetailStore = defineStore('imageDetail', () => {
  const api = useApi();
  const ref_ = ref('');
  const detail = ref<ImageDetail | null>(null);
  const history = ref<HistoryEntry[]>([]);
  const layers = ref<LayerInfo[]>([]);
  const tree = ref<LayerTree | null>(null);
  const layerIndex = ref(0);
  const tab = ref<DetailTab>('history');
  const error = ref('');
  const loading = ref(false);

  async function open(imageRef: string): Promise<void> {
    // Another image starts on its history, at its first layer.
    if (imageRef !== ref_.value) {
      tab.value = 'history';
      layerIndex.value = 0;
      detail.value = null;
      history.value = [];
      layers.value = [];
    }
    ref_.value = imageRef;
    loading.value = true;
    error.value = '';
    tree.value = null;
    try {
      const [d, h, l] = await Promise.all([
        api.call('images.inspect', { ref: imageRef }),
        api.call('images.history', { ref: imageRef }),
        api.call('images.layers', { ref: imageRef }),
      ]);
      detail.value = d;
      history.value = h;
      layers.value = l;
      if (l.length > 0) await openLayer(Math.min(layerIndex.value, l.length - 1));
    } catch (err) {
      error.value = (err as Error).message;
      detail.value = null;
    } finally {
      loading.value = false;
    }
  }

  async function openLayer(position: number): Promise<void> {
    layerIndex.value = position;
    try {
      tree.value = await api.call('images.layerTree', { ref: detail.value?.id ?? ref_.value, position });
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  /**
   * The open image changed elsewhere (tagged, untagged, removed, its name moved to a new build):
   * fetch it again in place, keeping the tab and layer; the file tree only when it is another image.
   */
  async function reload(): Promise<void> {
    if (!ref_.value || loading.value) return;
    try {
      const [d, h, l] = await Promise.all([
        api.call('images.inspect', { ref: ref_.value }),
        api.call('images.history', { ref: ref_.value }),
        api.call('images.layers', { ref: ref_.value }),
      ]);
      const another = d.id !== detail.value?.id;
      detail.value = d;
      history.value = h;
      layers.value = l;
      error.value = '';
      if (another && l.length > 0) await openLayer(Math.min(layerIndex.value, l.length - 1));
    } catch (err) {
      error.value = (err as Error).message;
    }
  }
  refreshOnChange(api, (e) => e.kind === 'image' || e.kind === 'layer', reload);

  return { ref: ref_, detail, history, layers, tree, layerIndex, tab, error, loading, open, openLayer, reload };
});
