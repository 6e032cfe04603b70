import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CredentialStore, Credentials } from './credentials.ts';

/**
 * Encrypts and decrypts small secrets. The desktop app passes Electron's safeStorage
 * (`encryptString` / `decryptString`, backed by the OS keychain); the engine never imports
 * electron, so it only sees this pair.
 */
export interface Sealer {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}

/**
 * Credentials kept in one JSON file of sealed entries (`{"auths": {"host": "<base64 ciphertext>"}}`):
 * nothing readable on disk, so the CLI's "stored unencrypted" warning does not apply.
 */
export class SealedCredentialStore implements CredentialStore {
  readonly file: string;
  /** Sealed: there is no plaintext copy to warn about. */
  readonly plaintextLocation: string | undefined = undefined;
  private readonly sealer: Sealer;

  constructor(file: string, sealer: Sealer) {
    this.file = file;
    this.sealer = sealer;
  }

  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {};
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { auths?: Record<string, string> };
    return parsed.auths ?? {};
  }

  private write(auths: Record<string, string>): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ auths }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  async get(registry: string): Promise<Credentials | undefined> {
    const sealed = this.read()[registry];
    if (!sealed) return undefined;
    const parsed = JSON.parse(this.sealer.decrypt(Buffer.from(sealed, 'base64'))) as Credentials;
    return { username: parsed.username, password: parsed.password, ...(parsed.identityToken ? { identityToken: parsed.identityToken } : {}) };
  }

  async store(registry: string, credentials: Credentials): Promise<void> {
    const auths = this.read();
    auths[registry] = this.sealer.encrypt(JSON.stringify({
      username: credentials.username, password: credentials.password,
      ...(credentials.identityToken ? { identityToken: credentials.identityToken } : {}),
    })).toString('base64');
    this.write(auths);
  }

  async erase(registry: string): Promise<boolean> {
    const auths = this.read();
    if (!(registry in auths)) return false;
    delete auths[registry];
    this.write(auths);
    return true;
  }
}
