import type { Stores } from '../stores.ts';
import { DockerConfigCredentialStore, type CredentialStore } from './credentials.ts';
import { CredentialHelperError } from './credential-helper.ts';
import { RegistryClient } from './client.ts';
import { isInsecureRegistry, readRegistrySettings } from './settings.ts';
import type { Credentials } from './credentials.ts';
import { UnauthorizedError } from './errors.ts';
import type { Timeouts } from './http.ts';

/** What every registry operation accepts. */
export interface RegistryOptions {
  /** Allow plain HTTP and unverified TLS for this registry (`--insecure`). */
  insecure?: boolean;
  /** Defaults to docker's config.json. */
  credentials?: CredentialStore;
  signal?: AbortSignal;
  /** Attempts after the first for connection errors and 5xx answers (default 3). */
  retries?: number;
  /** First retry delay in ms, doubling (default 250). */
  backoffMs?: number;
  /** Ask token servers for a refresh token (login). */
  offline?: boolean;
  /** Connect, header and idle deadlines in ms (default: docker-like values, or STRATA_REGISTRY_*_TIMEOUT). */
  timeouts?: Partial<Timeouts>;
}

/**
 * A client for the registry of `domain`, set up from the engine's settings: insecure when the
 * user said so, registries.json lists it, or it is in docker's default 127.0.0.0/8.
 */
export async function openClient(engine: Pick<Stores, 'root'>, domain: string, options: RegistryOptions): Promise<RegistrySession> {
  const settings = readRegistrySettings(engine.root);
  const insecure = await isInsecureRegistry(domain, settings, options.insecure ?? false);
  const store = options.credentials ?? new DockerConfigCredentialStore();
  let helperError: CredentialHelperError | undefined;
  // Asked once per operation: every authorised request of a push would otherwise re-read the store.
  let cached: Promise<Credentials | undefined> | undefined;
  const credentials = (): Promise<Credentials | undefined> => (cached ??= lookup());
  const lookup = async (): Promise<Credentials | undefined> => {
    try {
      return await store.get(domain);
    } catch (err) {
      // A broken or missing helper must not break anonymous access (docker goes on without
      // credentials too); it is what gets reported if the registry then wants them.
      if (err instanceof CredentialHelperError) {
        helperError = err;
        return undefined;
      }
      throw err;
    }
  };
  const client = new RegistryClient({
    domain,
    credentials,
    insecure,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
    ...(options.offline ? { offline: true } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
  });
  // A refusal is better explained by the failing helper than by the registry's "unauthorized".
  const explain = (err: unknown): unknown => (err instanceof UnauthorizedError && helperError ? helperError : err);
  return { client, insecure, explain };
}

export interface RegistrySession {
  client: RegistryClient;
  insecure: boolean;
  explain(err: unknown): unknown;
}
