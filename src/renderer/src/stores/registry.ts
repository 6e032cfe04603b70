import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { RegistryLogins } from '../../../shared/contract.ts';
import { useApi } from '../api.ts';
import { refreshOnChange } from '../on-change.ts';

/**
 * Registry logins: which registries the host holds credentials for (registry and user only —
 * passwords never come back to the renderer), log in and log out.
 */
export const useRegistryStore = defineStore('registry', () => {
  const api = useApi();
  const logins = ref<RegistryLogins | null>(null);
  const error = ref('');

  async function refresh(): Promise<void> {
    try {
      logins.value = await api.call('registry.logins', {});
      error.value = '';
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  /** Verified by the registry first; resolves with the registry host the login was stored for. */
  async function login(registry: string, username: string, password: string): Promise<string> {
    const res = await api.call('registry.login', { registry, username, password });
    await refresh();
    return res.registry;
  }

  async function logout(registry: string): Promise<string> {
    const res = await api.call('registry.logout', { registry });
    await refresh();
    return res.registry;
  }

  // A `strata login`/`logout` in a terminal updates an open logins list.
  refreshOnChange(api, (e) => e.kind === 'registry' && logins.value !== null, refresh);

  return { logins, error, refresh, login, logout };
});
