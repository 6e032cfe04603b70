import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CredentialHelper, type Credentials } from './credential-helper.ts';
import { StrataError, errorCode } from '../../../shared/errors.ts';
import { dockerConfigDir } from '../paths.ts';

export type { Credentials } from './credential-helper.ts';

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

/** `$DOCKER_CONFIG` or `~/.docker` (one definition, shared with docker's contexts). */
export { dockerConfigDir };

/** The config.json key docker uses for a registry host. */
export function authKey(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io' ? DOCKER_HUB_AUTH_KEY : registry;
}

/** docker's ConvertToHostname: `https://host:5000/v1/` → `host:5000`. */
function hostnameOf(key: string): string {
  return key.replace(/^https?:\/\//, '').split('/')[0]!;
}

/**
 * Docker's `config.json`, read and written like the docker CLI does. A registry named in
 * `credHelpers`, or every registry when `credsStore` is set, keeps its secret in that credential
 * helper (`docker-credential-<name>`) and only an empty `auths` entry in the file; the others keep
 * base64 `user:pass` (and an `identitytoken`) in `auths`. Other keys of the file are kept.
 */
export class DockerConfigCredentialStore implements CredentialStore {
  readonly file: string;
  readonly plaintextLocation: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(dir: string = dockerConfigDir(), env: NodeJS.ProcessEnv = process.env) {
    this.file = join(dir, 'config.json');
    this.plaintextLocation = this.file;
    this.env = env;
  }

  private read(): DockerConfigFile {
    if (!existsSync(this.file)) return {};
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as DockerConfigFile;
    } catch (err) {
      throw new StrataError(errorCode(err) === 'not-found' ? 'invalid' : errorCode(err), `cannot read ${this.file}: ${(err as Error).message}`, { cause: err });
    }
  }

  private write(config: DockerConfigFile): void {
    const dir = join(this.file, '..');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  /** The helper config.json names for every registry (`credsStore`), if any. */
  get credsStore(): string | undefined {
    return this.read().credsStore || undefined;
  }

  /** The credential helper that keeps this registry's secret (docker's getCredentialsStore), if any. */
  helperFor(registry: string): CredentialHelper | undefined {
    const name = helperName(this.read(), registry);
    return name ? new CredentialHelper(name, this.env) : undefined;
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
    const helper = helperName(config, registry);
    if (helper) return new CredentialHelper(helper, this.env).get(authKey(registry));
    const entry = this.entryFor(config, registry)?.[1];
    if (!entry) return undefined;
    let username = entry.username ?? '';
    let password = entry.password ?? '';
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        username = decoded.slice(0, colon);
        password = decoded.slice(colon + 1);
      }
    }
    const identityToken = entry.identitytoken || undefined;
    if (!identityToken && (!username || !password)) return undefined;
    return { username, password, ...(identityToken ? { identityToken } : {}) };
  }

  async store(registry: string, credentials: Credentials): Promise<void> {
    const config = this.read();
    const key = authKey(registry);
    const helper = helperName(config, registry);
    if (helper) await new CredentialHelper(helper, this.env).store(key, credentials);
    const auths = { ...(config.auths ?? {}) };
    const existing = this.entryFor(config, registry);
    if (existing) delete auths[existing[0]];
    // docker keeps an empty entry for a helper's registry: the file still lists the login.
    auths[key] = helper ? {} : fileEntry(credentials);
    this.write({ ...config, auths });
  }

  async erase(registry: string): Promise<boolean> {
    const config = this.read();
    const helper = helperName(config, registry);
    const existing = this.entryFor(config, registry);
    let inHelper = false;
    if (helper) {
      try {
        inHelper = await new CredentialHelper(helper, this.env).erase(authKey(registry));
      } catch (err) {
        // Some helpers fail rather than say "not found" for what they never had; that is only
        // an error when this file says the registry was logged in.
        if (existing) throw err;
      }
    }
    if (existing) {
      const auths = { ...(config.auths ?? {}) };
      delete auths[existing[0]];
      this.write({ ...config, auths });
    }
    return inHelper || existing !== undefined;
  }
}

/** docker's choice: the registry's own `credHelpers` entry, else the `credsStore` for all. */
function helperName(config: DockerConfigFile, registry: string): string | undefined {
  return config.credHelpers?.[authKey(registry)] || config.credHelpers?.[registry] || config.credsStore || undefined;
}

/** An `auths` entry as docker writes one: base64 `user:pass`; with an identity token, `user:` and the token. */
function fileEntry(credentials: Credentials): AuthEntry {
  if (credentials.identityToken) {
    return { auth: Buffer.from(`${credentials.username}:`).toString('base64'), identitytoken: credentials.identityToken };
  }
  return { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64') };
}
