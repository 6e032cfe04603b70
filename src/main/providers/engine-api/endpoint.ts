import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import { StrataError } from '../../../shared/errors.ts';
import { sshAgent } from './ssh.ts';

/** Where an Engine API listens and how to reach it: what `-H`, DOCKER_HOST and a context's endpoint say. */
export interface Endpoint {
  /** unix:///run/docker.sock, tcp://host:2376, ssh://user@host */
  host: string;
  /** TLS material for tcp:// (PEM text), from DOCKER_CERT_PATH or a context's tls directory. */
  tls?: { ca?: string; cert?: string; key?: string; verify: boolean };
}

/**
 * TLS the way the docker CLI decides it for a plain host: DOCKER_TLS_VERIFY (verify the server) or
 * DOCKER_TLS, certificates from DOCKER_CERT_PATH (default ~/.docker).
 */
export function tlsFromEnv(env: NodeJS.ProcessEnv = process.env): Endpoint['tls'] {
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  if (!verify && !env.DOCKER_TLS) return undefined;
  const dir = env.DOCKER_CERT_PATH || join(env.HOME ?? homedir(), '.docker');
  return { ...readPems(dir), verify };
}

/** ca.pem, cert.pem and key.pem of a directory, those that exist. */
export function readPems(dir: string): { ca?: string; cert?: string; key?: string } {
  const out: { ca?: string; cert?: string; key?: string } = {};
  for (const name of ['ca', 'cert', 'key'] as const) {
    const file = join(dir, `${name}.pem`);
    if (existsSync(file)) out[name] = readFileSync(file, 'utf8');
  }
  return out;
}

/** dockerode/docker-modem options for an endpoint; throws 'invalid' for a URL docker would refuse too. */
export function modemOptions(endpoint: Endpoint): DockerOptions {
  let url: URL;
  try {
    url = new URL(endpoint.host);
  } catch {
    throw new StrataError('invalid', `unable to parse docker host \`${endpoint.host}\``);
  }
  switch (url.protocol) {
    case 'unix:': {
      const socketPath = decodeURIComponent(url.pathname);
      if (!socketPath) throw new StrataError('invalid', `unable to parse docker host \`${endpoint.host}\``);
      return { socketPath };
    }
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const tls = endpoint.tls ?? (url.protocol === 'https:' ? { verify: true } : undefined);
      const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
      const base: DockerOptions = { host: url.hostname.replace(/^\[|\]$/g, ''), port, protocol: tls ? 'https' : 'http' };
      if (!tls) return base;
      return {
        ...base,
        ...(tls.ca ? { ca: tls.ca } : {}),
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
        // docker's --tls without --tlsverify: encrypted, server not checked
        ...(tls.verify ? {} : { checkServerIdentity: () => undefined }),
      } as DockerOptions;
    }
    case 'ssh:':
      // As the docker CLI: the system ssh runs `docker system dial-stdio` on the host (ssh.ts).
      return { protocol: 'http', host: 'docker.example.com', port: 80, agent: sshAgent(endpoint.host) } as DockerOptions;
    default:
      throw new StrataError('unsupported', `unsupported docker host protocol "${url.protocol.replace(/:$/, '')}" (use unix://, tcp:// or ssh://)`);
  }
}
