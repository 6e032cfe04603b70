/**
 * Registry logins for the desktop app and the browser host: `docker login` against the registry,
 * then the secret goes to the host's credential store (Electron safeStorage, or docker's
 * config.json). The renderer only ever sees registry hosts and usernames; the password crosses
 * IPC once, on login, and appears in no result, log line or error message.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Engine } from '../engine/engine.ts';
import {
  DockerConfigCredentialStore, SealedCredentialStore, login, loginRegistry, logout, type CredentialStore, type Credentials,
} from '../engine/registry/index.ts';
import type { RegistryLogin, RegistryLogins } from '../../shared/contract.ts';
import { UnsupportedError } from './session.ts';

/** How a host keeps registry secrets. */
export interface CredentialSetup {
  store: CredentialStore;
  /** Why secrets cannot be stored here (no OS keychain); checked before the registry is asked. */
  unavailable?: () => string | undefined;
}

/** Registry hosts with an entry in the store's file (docker's Hub key read back as `docker.io`). */
function storedRegistries(store: CredentialStore): string[] {
  if (!(store instanceof DockerConfigCredentialStore) && !(store instanceof SealedCredentialStore)) return [];
  if (!existsSync(store.file)) return [];
  let auths: Record<string, unknown> = {};
  try {
    auths = (JSON.parse(readFileSync(store.file, 'utf8')) as { auths?: Record<string, unknown> }).auths ?? {};
  } catch {
    // An unreadable file lists nothing; `get` reports it when a pull needs it.
  }
  const hosts = Object.keys(auths).map((key) => (store instanceof DockerConfigCredentialStore ? loginRegistry(key) : key));
  return [...new Set(hosts)].sort();
}

async function usernameFor(store: CredentialStore, registry: string): Promise<string | undefined> {
  try {
    // An identity-token login without a username has no name to show.
    return (await store.get(registry))?.username || undefined;
  } catch {
    // A failing credential helper or an undecryptable entry: not a login this host can use or show.
    return undefined;
  }
}

export async function listLogins(setup: CredentialSetup): Promise<RegistryLogins> {
  const { store } = setup;
  const logins: RegistryLogin[] = [];
  for (const registry of storedRegistries(store)) {
    const username = await usernameFor(store, registry);
    if (username !== undefined) logins.push({ registry, username });
  }
  const file = store instanceof DockerConfigCredentialStore || store instanceof SealedCredentialStore ? store.file : '';
  const unavailable = setup.unavailable?.();
  const helper = store instanceof DockerConfigCredentialStore ? store.credsStore : undefined;
  return {
    storage: store.plaintextLocation === undefined ? 'sealed' : helper ? 'credential-helper' : 'docker-config',
    ...(helper ? { helper } : {}),
    location: file,
    logins,
    ...(unavailable ? { unavailable } : {}),
  };
}

/** Replaces the secret wherever it might have slipped into a message. */
function scrub(err: unknown, secret: string): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  if (secret === '' || !e.message.includes(secret)) return e;
  const clean = new Error(e.message.replaceAll(secret, '********'));
  clean.name = e.name;
  return clean;
}

/** Checks the credentials with the registry (docker login's ping) and stores them. */
export async function loginToRegistry(
  engine: Engine, setup: CredentialSetup, params: { registry: string; username: string; password: string },
): Promise<{ registry: string }> {
  const registry = loginRegistry(params.registry.trim());
  const reason = setup.unavailable?.();
  if (reason) throw new UnsupportedError(reason);
  const credentials: Credentials = { username: params.username, password: params.password };
  try {
    await login(engine, registry, credentials, { credentials: setup.store });
  } catch (err) {
    throw scrub(err, params.password);
  }
  return { registry };
}

export async function logoutFromRegistry(engine: Engine, setup: CredentialSetup, registry: string): Promise<{ registry: string; removed: boolean }> {
  const host = loginRegistry(registry.trim());
  return { registry: host, removed: await logout(engine, host, setup.store) };
}
