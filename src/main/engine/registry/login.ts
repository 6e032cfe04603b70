import type { Stores } from '../stores.ts';
import { DEFAULT_DOMAIN } from '../image/reference.ts';
import { DockerConfigCredentialStore, type CredentialStore, type Credentials } from './credentials.ts';
import { openClient, type RegistryOptions } from './session.ts';
import { StrataError, errorCode } from '../../../shared/errors.ts';

/**
 * The registry a `login`/`logout` argument names, as docker reads it: none is Docker Hub, and
 * `https://host:5000/v2/` or `http://host:5000` is `host:5000`.
 */
export function loginRegistry(arg: string | undefined): string {
  if (!arg) return DEFAULT_DOMAIN;
  const host = arg.replace(/^https?:\/\//, '').split('/')[0]!.toLowerCase();
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? DEFAULT_DOMAIN : host;
}

/**
 * `docker login`: checks the credentials against the registry (a ping answered with them, or a
 * token issued for them) and only then stores them. A token server that hands out a refresh
 * token gets that stored instead of the password, as docker does.
 */
export async function login(engine: Pick<Stores, 'events' | 'root'>, registry: string, credentials: Credentials, options: RegistryOptions = {}): Promise<void> {
  const store = options.credentials ?? new DockerConfigCredentialStore();
  const asked: Credentials = { username: credentials.username, password: credentials.password };
  const session = await openClient(engine, registry, {
    ...options, offline: true, credentials: { get: async () => asked, store: async () => {}, erase: async () => false },
  });
  const { identityToken } = await session.client.login();
  try {
    await store.store(registry, identityToken ? { username: credentials.username, password: '', identityToken } : asked);
  } catch (err) {
    throw new StrataError(errorCode(err), `Error saving credentials: ${(err as Error).message}`, { cause: err });
  }
  announceLogin(engine, 'login', registry, credentials.username);
}

/** `docker logout`: returns false when nothing was stored for the registry. */
export async function logout(engine: Pick<Stores, 'events' | 'root'>, registry: string, store: CredentialStore = new DockerConfigCredentialStore()): Promise<boolean> {
  const removed = await store.erase(registry);
  if (removed) announceLogin(engine, 'logout', registry);
  return removed;
}

/**
 * Strata's `registry` event: the credentials live outside the store (config.json, a helper, the
 * keychain), so the event follows their write; views of the logins refresh from it. Never the secret.
 */
function announceLogin(engine: Pick<Stores, 'events' | 'root'>, action: 'login' | 'logout', registry: string, username?: string): void {
  engine.events.announce({ type: 'registry', action, id: registry, attributes: username ? { username } : {} });
}
