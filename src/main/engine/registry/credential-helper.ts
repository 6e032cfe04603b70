import { spawn } from 'node:child_process';
import { StrataError } from '../../../shared/errors.ts';

/** What a registry login holds. Never logged, never part of an error message. */
export interface Credentials {
  username: string;
  password: string;
  /**
   * An OAuth2 refresh token some registries hand out at login (docker's `identitytoken`): when
   * set, bearer tokens are asked for with it (grant_type=refresh_token) instead of the password.
   */
  identityToken?: string;
}

/**
 * A docker credential helper (`docker-credential-<name>`: desktop, osxkeychain, secretservice,
 * pass, ecr-login, gcloud…), spoken to as the docker CLI does: the action as the only argument,
 * the request on stdin, JSON on stdout, a non-zero exit with the reason on stdout.
 *
 *   get    ← server URL           → {"ServerURL","Username","Secret"}
 *   store  ← {"ServerURL","Username","Secret"}
 *   erase  ← server URL
 *
 * A username of `<token>` means the secret is an identity (refresh) token, not a password.
 */
export class CredentialHelper {
  readonly name: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(name: string, env: NodeJS.ProcessEnv = process.env) {
    this.name = name;
    this.env = env;
  }

  get program(): string {
    return `docker-credential-${this.name}`;
  }

  /** The credentials kept for `serverURL`, or undefined when the helper has none. */
  async get(serverURL: string): Promise<Credentials | undefined> {
    const out = await this.run('get', serverURL, 'getting');
    if (out === NOT_FOUND) return undefined;
    let parsed: { Username?: unknown; Secret?: unknown };
    try {
      parsed = JSON.parse(out) as typeof parsed;
    } catch {
      throw new CredentialHelperError(`error getting credentials - ${this.program} answered with something that is not JSON`);
    }
    const username = typeof parsed.Username === 'string' ? parsed.Username : '';
    const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
    // Older helpers (pass 0.6) answer a miss with empty fields instead of the not-found message.
    if (username === '' && secret === '') return undefined;
    if (username === IDENTITY_TOKEN_USER) return { username: '', password: '', identityToken: secret };
    return { username, password: secret };
  }

  async store(serverURL: string, credentials: Credentials): Promise<void> {
    const token = credentials.identityToken;
    const payload = {
      ServerURL: serverURL,
      Username: token ? IDENTITY_TOKEN_USER : credentials.username,
      Secret: token ?? credentials.password,
    };
    await this.run('store', JSON.stringify(payload), 'storing');
  }

  /** Returns false when the helper kept nothing for `serverURL`. */
  async erase(serverURL: string): Promise<boolean> {
    return (await this.run('erase', serverURL, 'erasing')) !== NOT_FOUND;
  }

  /**
   * Runs one action; resolves with its stdout (trimmed), or NOT_FOUND when the helper says it has
   * no such credentials. The request is never part of an error message (it may hold the secret).
   */
  private run(action: string, input: string, verb: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.program, [action], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.stdin.on('error', () => {}); // a helper that exits without reading its input
      child.on('error', (e: NodeJS.ErrnoException) => {
        const why = e.code === 'ENOENT' ? `exec: "${this.program}": executable file not found in $PATH` : e.message;
        reject(new CredentialHelperError(`error ${verb} credentials - err: ${why}, out: \`\``));
      });
      child.on('close', (code, signal) => {
        const stdout = Buffer.concat(out).toString('utf8').trim();
        if (code === 0) return resolve(stdout);
        if (stdout === NOT_FOUND_MESSAGE) return resolve(NOT_FOUND);
        const status = signal ? `signal: ${signal}` : `exit status ${code}`;
        const detail = stdout || Buffer.concat(err).toString('utf8').trim();
        reject(new CredentialHelperError(`error ${verb} credentials - err: ${status}, out: \`${detail}\``));
      });
      child.stdin.end(input);
    });
  }
}

/** A helper that is missing, failed, or answered nonsense (docker's "error getting credentials"). */
export class CredentialHelperError extends StrataError {
  constructor(message: string) {
    super('unavailable', message);
  }
}

/** What every helper prints (docker-credential-helpers' ErrCredentialsNotFound) for a miss. */
const NOT_FOUND_MESSAGE = 'credentials not found in native keychain';
const NOT_FOUND = '\0not-found';
const IDENTITY_TOKEN_USER = '<token>';
