/**
 * Argument checks for every request and stream of the contract. Main (Electron) and the browser
 * host run them before a handler sees anything: the renderer is not trusted to send well-formed
 * data. Tiny hand-written combinators; the map is typed so a new request without a validator does
 * not compile.
 */
import type { ParamsOf, PruneAction, RequestName, StreamName, StreamParams } from './contract.ts';
import { StrataError } from './errors.ts';

export class ValidationError extends StrataError {
  constructor(message: string) {
    super('invalid', message);
  }
}

export type Validator<T> = (value: unknown, at: string) => T;

const MAX_STRING = 1 << 20;

export function str(options: { max?: number; nonEmpty?: boolean } = {}): Validator<string> {
  return (v, at) => {
    if (typeof v !== 'string') throw new ValidationError(`${at}: expected a string`);
    if (v.length > (options.max ?? MAX_STRING)) throw new ValidationError(`${at}: too long`);
    if (options.nonEmpty && v.trim() === '') throw new ValidationError(`${at}: must not be empty`);
    if (v.includes('\0')) throw new ValidationError(`${at}: contains a NUL byte`);
    return v;
  };
}

/** Text bodies (Dockerfiles, edited files, terminal input) may be large and hold any character. */
export function text(): Validator<string> {
  return (v, at) => {
    if (typeof v !== 'string') throw new ValidationError(`${at}: expected a string`);
    if (v.length > 16 * MAX_STRING) throw new ValidationError(`${at}: too long`);
    return v;
  };
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(values: readonly T[]): Validator<T> {
  return (v, at) => {
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new ValidationError(`${at}: expected one of ${values.join(', ')}`);
    return v as T;
  };
}

const PRUNE_ACTIONS: readonly PruneAction[] = ['dangling-images', 'unused-images', 'stopped-containers', 'build-cache'];

export function bool(): Validator<boolean> {
  return (v, at) => {
    if (typeof v !== 'boolean') throw new ValidationError(`${at}: expected true or false`);
    return v;
  };
}

export function int(options: { min?: number; max?: number } = {}): Validator<number> {
  return (v, at) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new ValidationError(`${at}: expected an integer`);
    if (options.min !== undefined && v < options.min) throw new ValidationError(`${at}: must be at least ${options.min}`);
    if (options.max !== undefined && v > options.max) throw new ValidationError(`${at}: must be at most ${options.max}`);
    return v;
  };
}

export function list<T>(item: Validator<T>, max = 10_000): Validator<T[]> {
  return (v, at) => {
    if (!Array.isArray(v)) throw new ValidationError(`${at}: expected a list`);
    if (v.length > max) throw new ValidationError(`${at}: too many items`);
    return v.map((x, i) => item(x, `${at}[${i}]`));
  };
}

export function record(value: Validator<string>): Validator<Record<string, string>> {
  return (v, at) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ValidationError(`${at}: expected an object`);
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) out[str({ max: 4096, nonEmpty: true })(k, `${at} key`)] = value(x, `${at}.${k}`);
    return out;
  };
}

type Shape<T> = { [K in keyof T]-?: Validator<T[K]> };

/** An object with exactly these keys (unknown keys are refused; `optional` ones may be absent). */
export function obj<T extends object>(shape: Shape<T>, optional: (keyof T)[] = []): Validator<T> {
  return (v, at) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ValidationError(`${at}: expected an object`);
    const input = v as Record<string, unknown>;
    for (const k of Object.keys(input)) {
      if (!(k in shape)) throw new ValidationError(`${at}: unknown field "${k}"`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, check] of Object.entries(shape) as [string, Validator<unknown>][]) {
      if (input[k] === undefined && optional.includes(k as keyof T)) continue;
      if (input[k] === undefined) throw new ValidationError(`${at}: missing field "${k}"`);
      out[k] = check(input[k], `${at}.${k}`);
    }
    return out as T;
  };
}

const empty = obj<Record<string, never>>({});
const ref = str({ max: 512, nonEmpty: true });
const path = str({ max: 4096, nonEmpty: true });
const id = str({ max: 256, nonEmpty: true });
const registryHost = str({ max: 512, nonEmpty: true });

/** A password or token: checked like any string, but no message ever includes its value. */
const secret: Validator<string> = str({ max: 16_384, nonEmpty: true });

export const requestValidators: { [K in RequestName]: Validator<ParamsOf<K>> } = {
  'app.info': empty,
  'engines.list': empty,
  'engines.use': obj({ id: str({ max: 256, nonEmpty: true }) }),
  'service.status': empty,
  'service.toggle': obj({ running: bool() }),
  'images.list': empty,
  'images.inspect': obj({ ref }),
  'images.history': obj({ ref }),
  'images.layers': obj({ ref }),
  'images.layerTree': obj({ ref, position: int({ min: 0, max: 10_000 }) }),
  'images.tag': obj({ source: ref, target: ref }),
  'images.remove': obj({ refs: list(ref, 10_000), force: bool() }),
  'images.prunePreview': obj({ all: bool() }),
  'images.prune': obj({ all: bool() }),
  'images.removePreview': obj({ refs: list(ref, 10_000) }),
  'system.df': empty,
  'system.layers': empty,
  'system.prunePreview': empty,
  'system.prune': obj({ action: oneOf(PRUNE_ACTIONS) }),
  'build.context': obj<{ path: string; dockerfile?: string }>({ path, dockerfile: str({ max: 4096 }) }, ['dockerfile']),
  'build.writeDockerfile': obj({ path, dockerfile: path, text: text() }),
  'files.browse': obj<{ path: string; root?: string; archives?: boolean }>({ path: str({ max: 4096 }), root: str({ max: 4096 }), archives: bool() }, ['root', 'archives']),
  'build.recent': empty,
  'build.history': obj({ path, dockerfile: str({ max: 4096 }) }),
  'containers.list': obj({ all: bool() }),
  'containers.create': obj<{ image: string; name: string; command: string[]; env: string[]; ports?: string[] }>(
    { image: ref, name: str({ max: 256 }), command: list(str({ max: 65536 }), 1000), env: list(str({ max: 65536 }), 1000), ports: list(str({ max: 256 }), 100) },
    ['ports'],
  ),
  'images.env': obj({ ref }),
  'containers.remove': obj({ id, force: bool() }),
  'containers.stop': obj({ id }),
  'containers.start': obj({ id }),
  'containers.restart': obj({ id }),
  'containers.inspect': obj({ id }),
  'containers.files': obj({ id, dir: str({ max: 4096 }) }),
  'containers.readFile': obj({ id, path }),
  'containers.writeFile': obj({ id, path, text: text() }),
  'containers.diff': obj({ id }),
  'containers.commit': obj({
    id, repository: str({ max: 512 }), message: str({ max: 4096 }), author: str({ max: 512 }), changes: list(str({ max: 4096 }), 100),
  }),
  'registry.logins': empty,
  'registry.login': obj({ registry: registryHost, username: str({ max: 256, nonEmpty: true }), password: secret }),
  'registry.logout': obj({ registry: registryHost }),
  'dialog.openFolder': obj({ title: str({ max: 200 }) }),
  'dialog.openFile': obj({ title: str({ max: 200 }) }),
  'dialog.saveFile': obj({ title: str({ max: 200 }), defaultName: str({ max: 255 }) }),
};

export const streamValidators: { [K in StreamName]: Validator<StreamParams<K>> } = {
  'images.load': obj({ path }),
  'images.save': obj({ refs: list(ref, 1000), path }),
  'images.import': obj({ path, ref: str({ max: 512 }) }),
  'images.pull': obj({ ref }),
  'images.push': obj({ ref }),
  'build.run': obj({
    path, dockerfile: str({ max: 4096 }), tags: list(ref, 50), buildArgs: record(str({ max: 65536 })), target: str({ max: 256 }), noCache: bool(),
  }),
  'containers.terminal': obj({ id, cols: int({ min: 1, max: 1000 }), rows: int({ min: 1, max: 1000 }) }),
  'containers.logs': obj({ id, follow: bool() }, ['follow']),
  'images.copy': obj({ ref, from: id, to: id }),
};

export function validateRequest<K extends RequestName>(name: string, params: unknown): { name: K; params: ParamsOf<K> } {
  if (!Object.hasOwn(requestValidators, name)) throw new ValidationError(`unknown request "${String(name).slice(0, 100)}"`);
  const check = requestValidators[name as K] as Validator<ParamsOf<K>>;
  return { name: name as K, params: check(params ?? {}, name) };
}

export function validateStream<K extends StreamName>(name: string, params: unknown): { name: K; params: StreamParams<K> } {
  if (!Object.hasOwn(streamValidators, name)) throw new ValidationError(`unknown stream "${String(name).slice(0, 100)}"`);
  const check = streamValidators[name as K] as Validator<StreamParams<K>>;
  return { name: name as K, params: check(params ?? {}, name) };
}

export function validateStreamId(v: unknown): string {
  return str({ max: 100, nonEmpty: true })(v, 'stream id');
}
