import { posix } from 'node:path';
import type { ContainerConfig } from '../image/oci.ts';

/** The Dockerfile instructions `docker import --change` / `docker commit --change` accept. */
const CHANGE_COMMANDS = new Set(['cmd', 'entrypoint', 'env', 'expose', 'label', 'onbuild', 'user', 'volume', 'workdir']);
const DOCKERFILE_COMMANDS = new Set([
  'add', 'arg', 'cmd', 'copy', 'entrypoint', 'env', 'expose', 'from', 'healthcheck', 'label', 'maintainer', 'onbuild',
  'run', 'shell', 'stopsignal', 'user', 'volume', 'workdir',
]);

export class ChangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChangeError';
  }
}

/**
 * Applies `--change` lines to a runtime config, as docker's BuildFromConfig does: each line is one
 * Dockerfile instruction of the allowed set. A minimal parser (no variable expansion, no line
 * continuations); the full Dockerfile parser lives with the builder.
 */
export function applyChanges(base: ContainerConfig, changes: readonly string[]): ContainerConfig {
  const config: ContainerConfig = structuredClone(base);
  let cmdSet = false;
  for (const line of changes) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed)!;
    const command = m[1]!.toLowerCase();
    const rest = m[2]!.trim();
    if (!DOCKERFILE_COMMANDS.has(command)) throw new ChangeError(`unknown instruction: ${m[1]!.toUpperCase()}`);
    if (!CHANGE_COMMANDS.has(command)) throw new ChangeError(`${command} is not a valid change command`);
    if (rest === '' && command !== 'cmd' && command !== 'entrypoint') throw new ChangeError(`${command.toUpperCase()} requires at least one argument`);
    switch (command) {
      case 'cmd':
        config.Cmd = commandForm(rest);
        cmdSet = true;
        break;
      case 'entrypoint':
        config.Entrypoint = commandForm(rest);
        // docker: a new ENTRYPOINT resets CMD unless CMD was given in the same set of changes
        if (!cmdSet) config.Cmd = null;
        break;
      case 'env':
        for (const [k, v] of nameValuePairs(rest, 'ENV')) {
          const env = (config.Env ?? []).filter((e) => e.split('=')[0] !== k);
          env.push(`${k}=${v}`);
          config.Env = env;
        }
        break;
      case 'label':
        config.Labels = { ...config.Labels };
        for (const [k, v] of nameValuePairs(rest, 'LABEL')) config.Labels[k] = v;
        break;
      case 'expose':
        config.ExposedPorts = { ...config.ExposedPorts };
        for (const spec of words(rest)) for (const port of exposedPorts(spec)) config.ExposedPorts[port] = {};
        break;
      case 'onbuild': {
        const trigger = /^(\S+)([\s\S]*)$/.exec(rest)!;
        const name = trigger[1]!.toUpperCase();
        if (name === 'ONBUILD') throw new ChangeError('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
        if (name === 'FROM' || name === 'MAINTAINER') throw new ChangeError(`${name} isn't allowed as an ONBUILD trigger`);
        config.OnBuild = [...(config.OnBuild ?? []), `${name}${trigger[2]}`];
        break;
      }
      case 'user':
        config.User = rest;
        break;
      case 'volume': {
        config.Volumes = { ...config.Volumes };
        const list = jsonArray(rest) ?? words(rest);
        for (const v of list) {
          if (v.trim() === '') throw new ChangeError('VOLUME specified can not be an empty string');
          config.Volumes[v] = {};
        }
        break;
      }
      case 'workdir':
        config.WorkingDir = posix.isAbsolute(rest) ? posix.normalize(rest) : posix.join('/', config.WorkingDir ?? '', rest);
        break;
    }
  }
  return config;
}

/** JSON (exec) form, else the shell form run by `/bin/sh -c`. */
function commandForm(rest: string): string[] | null {
  if (rest === '') return null;
  return jsonArray(rest) ?? ['/bin/sh', '-c', rest];
}

function jsonArray(rest: string): string[] | undefined {
  if (!rest.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(rest);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    /* not JSON: shell form */
  }
  return undefined;
}

/** Splits on unquoted whitespace; quotes and backslashes work as in a Dockerfile. */
export function words(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new ChangeError(`unterminated quote in: ${text}`);
  if (inWord) out.push(cur);
  return out;
}

/** `k=v k2="v 2"`, or the legacy single pair `k v v v`. */
function nameValuePairs(rest: string, instruction: string): [string, string][] {
  const ws = words(rest);
  if (!ws[0]!.includes('=')) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(rest);
    if (!m) throw new ChangeError(`${instruction} must have two arguments`);
    return [[m[1]!, words(m[2]!).join(' ')]];
  }
  return ws.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new ChangeError(`${instruction} names can not be blank`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

/** `80`, `53/udp`, `8000-8002/tcp` → `80/tcp`, `53/udp`, `8000/tcp` … */
function exposedPorts(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (!m) throw new ChangeError(`invalid containerPort: ${spec}`);
  const lo = Number(m[1]);
  const hi = m[2] ? Number(m[2]) : lo;
  if (hi < lo || hi > 65535) throw new ChangeError(`invalid range specified for container port: ${spec}`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  const out: string[] = [];
  for (let p = lo; p <= hi; p++) out.push(`${p}/${proto}`);
  return out;
}
