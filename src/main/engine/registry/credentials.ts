import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** What a registry login holds. Never logged, never part of an error message. */
export interface Credentials {
  username: string;
  password: string;
}

/**
 * Where credentials live, keyed by registry host (`127.0.0.1:5000`, `ghcr.io`; Docker Hub is
 * `docker.io`). The CLI uses docker's config.json; the desktop app can supply one backed by
 * Electron's safeStorage with the same three methods.
 */
export interface CredentialStore {
  get(registry: string): Promise<Credentials | undefined>;
  store(registry: string, credentials: Credentials): Promise<void>;
  /** Returns false when there was nothing stored for the registry. */
  erase(registry: string): Promise<boolean>;
  /** Where the secrets go, for docker's "stored unencrypted" warning; undefined when encrypted. */
  readonly plaintextLocation?: string;
}

/** Docker Hub's key in config.json (docker's IndexServer). */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export class CredentialHelperUnsupportedError extends Error {
  constructor(helper: string, registry: string) {
    super(
      `credentials for ${registry} are kept by the credential helper docker-credential-${helper}, which strata does not support; ` +
        `remove "${helper}" from ~/.docker/config.json or use 'strata login'`,
    );
    this.name = 'CredentialHelperUnsupportedError';
  }
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** `$DOCKER_CONFIG` or `~/.docker`. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || join(env.HOME ?? homedir(), '.docker');
}

/** The config.json key docker uses for a registry host. */
export function authKey(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io' ? DOCKER_HUB_AUTH_KEY : registry;
}

/** docker's ConvertToHostname: `https://host:5000/v1/` → `host:5000`. */
function hostnameOf(key: string): string {
  return key.replace(/^https?:\/\//, '').split('/')[0]!;
}

/**
 * Docker's `config.json` `auths` (base64 `user:pass`), read and written like the docker CLI does.
 * Other keys of the file are kept. Credential helpers (`credsStore`, `credHelpers`) are reported
 * as unsupported rather than silently ignored.
 */
export class DockerConfigCredentialStore implements CredentialStore {
  readonly file: string;
  readonly plaintextLocation: string;

  constructor(dir: string = dockerConfigDir()) {
    this.file = join(dir, 'config.json');
    this.plaintextLocation = this.file;
  }

  private read(): DockerConfigFile {
    if (!existsSync(this.file)) return {};
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as DockerConfigFile;
    } catch (err) {
      throw new Error(`cannot read ${this.file}: ${(err as Error).message}`);
    }
  }

  private write(config: DockerConfigFile): void {
    const dir = join(this.file, '..');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  private helperFor(config: DockerConfigFile, registry: string): string | undefined {
    return config.credHelpers?.[authKey(registry)] ?? config.credHelpers?.[registry] ?? config.credsStore;
  }

  private entryFor(config: DockerConfigFile, registry: string): [string, AuthEntry] | undefined {
    const key = authKey(registry);
    const auths = config.auths ?? {};
    if (auths[key]) return [key, auths[key]];
    const host = hostnameOf(key);
    return Object.entries(auths).find(([k]) => hostnameOf(k) === host);
  }

  async get(registry: string): Promise<Credentials | undefined> {
    const config = this.read();
    const found = this.entryFor(config, registry);
    const entry = found?.[1];
    if (entry?.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry?.username && entry.password) return { username: entry.username, password: entry.password };
    const helper = this.helperFor(config, registry);
    if (helper) throw new CredentialHelperUnsupportedError(helper, registry);
    return undefined;
  }

  async store(registry: string, credentials: Credentials): Promise<void> {
    const config = this.read();
    const helper = config.credHelpers?.[authKey(registry)] ?? config.credsStore;
    if (helper) throw new CredentialHelperUnsupportedError(helper, registry);
    const auths = { ...(config.auths ?? {}) };
    const existing = this.entryFor(config, registry);
    if (existing) delete auths[existing[0]];
    auths[authKey(registry)] = { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64') };
    this.write({ ...config, auths });
  }

  async erase(registry: string): Promise<boolean> {
    const config = this.read();
    const existing = this.entryFor(config, registry);
    if (!existing) return false;
    const auths = { ...(config.auths ?? {}) };
    delete auths[existing[0]];
    this.write({ ...config, auths });
    return true;
  }
}
