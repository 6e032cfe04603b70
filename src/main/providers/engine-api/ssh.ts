/**
 * ssh:// engines reached the way the docker CLI reaches them (cli/connhelper): each connection is
 * the system `ssh -o ConnectTimeout=30 [-l user] [-p port] -- host docker system dial-stdio`, its
 * stdin and stdout the socket. The user's own ssh does the rest as it does for docker: their
 * ~/.ssh/config, agent, keys, ProxyJump, and known_hosts checking (a host whose key it does not
 * know is refused, never trusted silently).
 */
import type { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import { StrataError } from '../../../shared/errors.ts';

/** The ssh arguments for a URL, refused as docker's ssh.ParseURL refuses it. */
export function sshArgs(host: string): string[] {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new StrataError('invalid', `ssh host connection is not valid: unable to parse ${JSON.stringify(host)}`);
  }
  const refuse = (why: string): never => {
    throw new StrataError('invalid', `ssh host connection is not valid: ${why}`);
  };
  if (url.password) refuse('plain-text password is not supported');
  if (!url.hostname) refuse('no host specified');
  if (url.pathname && url.pathname !== '/') refuse(`extra path after the host: ${JSON.stringify(url.pathname)}`);
  if (url.search) refuse(`extra query after the host: ${JSON.stringify(url.search.slice(1))}`);
  if (url.hash) refuse(`extra fragment after the host: ${JSON.stringify(url.hash.slice(1))}`);
  return [
    '-o', 'ConnectTimeout=30',
    ...(url.username ? ['-l', decodeURIComponent(url.username)] : []),
    ...(url.port ? ['-p', url.port] : []),
    '--', url.hostname.replace(/^\[|\]$/g, ''),
    'docker', 'system', 'dial-stdio',
  ];
}

/**
 * One connection: ssh's stdio as a socket. An ssh that fails ends it with what ssh said. It is
 * socket enough for Node's HTTP agent: an idle timeout reset by traffic, ref/unref (an idle
 * kept-alive connection does not keep the process alive).
 */
function dialStdio(args: string[]): Duplex {
  // Taken on use: every command's start-up reads the contexts (and so loads this module).
  const { spawn } = process.getBuiltinModule('node:child_process');
  const { Duplex } = process.getBuiltinModule('node:stream');
  const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const { stdin, stdout, stderr } = child;
  let said = '';
  stderr.on('data', (c: Buffer) => {
    if (said.length < 4096) said += c.toString('utf8');
  });
  let idle: { ms: number; timer?: NodeJS.Timeout } = { ms: 0 };
  const touch = (): void => {
    clearTimeout(idle.timer);
    if (idle.ms > 0) idle.timer = setTimeout(() => socket.emit('timeout'), idle.ms).unref();
  };
  const socket = new Duplex({
    read() {
      stdout.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      touch();
      // a write the remote end refused: ssh's exit (fail below) says why
      stdin.write(chunk, () => cb());
    },
    final(cb) {
      stdin.end();
      cb();
    },
    destroy(err, cb) {
      clearTimeout(idle.timer);
      stdin.destroy();
      stdout.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill();
      cb(err);
    },
  });
  stdout.on('data', (c: Buffer) => {
    touch();
    if (!socket.push(c)) stdout.pause();
  });
  // the remote end went away while writing: what ssh said (its exit) tells why
  stdin.on('error', () => {});
  const fail = (why: string): void => {
    socket.destroy(new StrataError('unavailable', `command [ssh ${args.join(' ')}] ${why}, please make sure the URL is valid, and Docker 18.09 or later is installed on the remote host: stderr=${said.trim()}`));
  };
  child.on('error', (err) => fail(`could not run: ${err.message}`));
  // The connection ends once ssh's output has ended and ssh has exited: cleanly, or with why it failed.
  let outputEnded = false;
  let exitCode: number | null | undefined;
  const settle = (): void => {
    if (!outputEnded || exitCode === undefined) return;
    if (exitCode === 0 || exitCode === null) socket.push(null);
    else fail(`has exited with exit status ${exitCode}`);
  };
  stdout.on('end', () => {
    outputEnded = true;
    settle();
  });
  child.on('exit', (code) => {
    exitCode = code;
    settle();
  });
  const handles = [child, stdin, stdout, stderr] as unknown as { ref(): void; unref(): void }[];
  Object.assign(socket, {
    setTimeout(ms: number, cb?: () => void) {
      idle = { ms };
      if (cb) socket.once('timeout', cb);
      touch();
      return socket;
    },
    setNoDelay: () => socket,
    setKeepAlive: () => socket,
    ref: () => { for (const h of handles) h.ref(); return socket; },
    unref: () => { for (const h of handles) h.unref(); return socket; },
  });
  return socket;
}

const agents = new Map<string, Agent>();

/**
 * The HTTP agent for an ssh:// host: connections are `docker system dial-stdio` over ssh, kept
 * alive and shared by every client of this process for that host (each ssh costs a handshake);
 * an idle one closes after 30 s. closeSshAgents() ends them all.
 */
export function sshAgent(host: string): Agent {
  let agent = agents.get(host);
  if (!agent) {
    const args = sshArgs(host);
    // node:http on use: its module namespace evaluates the bundled undici (≈ 70 ms), and every
    // command reads the docker context through endpoint.ts, which names this module.
    const { Agent: HttpAgent } = process.getBuiltinModule('node:http');
    agent = new HttpAgent({ keepAlive: true, timeout: 30_000 });
    (agent as unknown as { createConnection: () => Duplex }).createConnection = () => dialStdio(args);
    agents.set(host, agent);
  }
  return agent;
}

/** Ends every ssh connection this process keeps. */
export function closeSshAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}
