import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

/** Why a test needing the real registry cannot run here, or undefined when it can. */
export function registryMissing(): string | undefined {
  return existsSync(REGISTRY_BIN) ? undefined : 'docker-registry is not installed (apt-get install docker-registry)';
}

export function htpasswdMissing(): string | undefined {
  try {
    execFileSync('htpasswd', ['-h'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'htpasswd is not installed (apt-get install apache2-utils)';
  }
  return undefined;
}

export function skopeoMissing(): string | undefined {
  try {
    execFileSync('skopeo', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'skopeo is not installed (apt-get install skopeo)';
  }
}

/** A free TCP port on loopback (bound and released; the registry takes it right after). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, host, () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
  });
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts CNCF distribution (Debian's docker-registry) on 127.0.0.1 with its storage in `dir`;
 * with `auth`, behind htpasswd basic auth for that user.
 */
export interface RegistryServerOptions {
  /** htpasswd basic auth for this user. */
  auth?: { user: string; password: string };
  /** Address to listen on (default 127.0.0.1). */
  bind?: string;
  /** Serve HTTPS with a fresh self-signed certificate for `bind`. */
  tls?: boolean;
}

/** A self-signed certificate for an IP address (what a private registry often has). */
function selfSignedCert(dir: string, ip: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${ip}`,
    '-addext', `subjectAltName=IP:${ip}`, '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key };
}

export async function startRegistry(dir: string, options: RegistryServerOptions = {}): Promise<RunningRegistry> {
  mkdirSync(dir, { recursive: true });
  const auth = options.auth;
  const bind = options.bind ?? '127.0.0.1';
  const port = await freePort(bind);
  let authYaml = '';
  if (auth) {
    const line = execFileSync('htpasswd', ['-Bbn', auth.user, auth.password], { encoding: 'utf8' }).trim();
    writeFileSync(join(dir, 'htpasswd'), `${line}\n`);
    authYaml = `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  let tlsYaml = '';
  if (options.tls) {
    const { cert, key } = selfSignedCert(dir, bind);
    tlsYaml = `  tls:\n    certificate: ${cert}\n    key: ${key}\n`;
  }
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: ${bind}:${port}
${tlsYaml}${authYaml}`,
  );
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  const host = `${bind}:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    if (await listening(bind, port)) break;
    if (i > 200) throw new Error(`docker-registry did not start: ${stderr}`);
    await sleep(50);
  }
  return {
    host,
    dir,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
