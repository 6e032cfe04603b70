import { StrataError } from '../../../shared/errors.ts';
/**
 * Image references, normalised as docker does (distribution/reference):
 *   alpine                 → docker.io/library/alpine:latest
 *   user/repo:ver          → docker.io/user/repo:ver
 *   localhost:5000/a@sha256:… (digest only, no implied tag)
 * and the "familiar" form printed back to users (docker.io/ and library/ stripped).
 */

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const ANCHORED_ID = /^[a-f0-9]{64}$/;

export class InvalidReferenceError extends StrataError {
  constructor(detail?: string) {
    super('invalid', detail ? `invalid reference format: ${detail}` : 'invalid reference format', { details: { reason: 'reference-format' } });
  }
}

export interface Reference {
  /** Registry host (with port), e.g. `docker.io`, `localhost:5000`. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/alpine`. */
  path: string;
  tag?: string;
  digest?: string;
}

/** `docker.io/library/alpine` */
export function repositoryName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The full string: `docker.io/library/alpine:latest`, `host/a@sha256:…`, `host/a:t@sha256:…`. */
export function formatReference(ref: Reference): string {
  let s = repositoryName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** The familiar repository name: `alpine`, `user/repo`, `localhost:5000/a`. */
export function familiarName(repository: string): string {
  const slash = repository.indexOf('/');
  const domain = repository.slice(0, slash);
  let rest = repository.slice(slash + 1);
  if (domain !== DEFAULT_DOMAIN) return repository;
  if (rest.startsWith(OFFICIAL_REPO_PREFIX) && !rest.slice(OFFICIAL_REPO_PREFIX.length).includes('/')) {
    rest = rest.slice(OFFICIAL_REPO_PREFIX.length);
  }
  return rest;
}

/** The familiar string: `alpine:latest`, `user/repo@sha256:…`. */
export function familiarString(ref: Reference): string {
  let s = familiarName(repositoryName(ref));
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** True for a full 64-hex image ID written without the algorithm (docker refuses it as a name). */
export function isFullHexId(s: string): boolean {
  return ANCHORED_ID.test(s);
}

function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  let domain: string;
  let path: string;
  if (slash === -1 || (!first.includes('.') && !first.includes(':') && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    path = name;
  } else {
    domain = first;
    path = name.slice(slash + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path;
  return { domain, path };
}

function validDomain(domain: string): boolean {
  // host[:port], host may be an IPv6 literal in brackets.
  const m = /^(\[[a-fA-F0-9:]+\]|[^:]+)(?::([0-9]+))?$/.exec(domain);
  if (!m) return false;
  const host = m[1]!;
  if (host.startsWith('[')) return true;
  return host.split('.').every((c) => DOMAIN_COMPONENT.test(c));
}

/**
 * Parses a reference as typed by a user. `defaultTag` adds `:latest` when neither tag nor digest
 * is given (what `pull`, `run` and `tag` do); pass false to keep the reference bare (`images alpine`).
 */
export function parseReference(input: string, options: { defaultTag?: boolean } = {}): Reference {
  return parseWith(parseName, input, options.defaultTag ?? true);
}

type ParsedName = { domain: string; path: string };

/**
 * `parseReference` for a listing of many references: a repository's name is parsed once however
 * many of its tags the listing holds (the name's checks depend on the name alone). The same
 * results and errors as `parseReference`.
 */
export function referenceParser(): typeof parseReference {
  const names = new Map<string, ParsedName | InvalidReferenceError>();
  const name = (rest: string): ParsedName => {
    let parsed = names.get(rest);
    if (parsed === undefined) {
      try {
        parsed = parseName(rest);
      } catch (err) {
        if (!(err instanceof InvalidReferenceError)) throw err;
        parsed = err;
      }
      names.set(rest, parsed);
    }
    if (parsed instanceof InvalidReferenceError) throw parsed;
    return parsed;
  };
  return (input, options = {}) => parseWith(name, input, options.defaultTag ?? true);
}

/** The tag and digest cut off and checked; what is left is the name, which `name` parses. */
function parseWith(name: (rest: string) => ParsedName, input: string, defaultTag: boolean): Reference {
  if (input === '' || input.trim() !== input) throw new InvalidReferenceError();
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidReferenceError();
    if (digest.startsWith('sha256:') && !/^sha256:[a-f0-9]{64}$/.test(digest)) throw new InvalidReferenceError();
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError();
  }
  if (rest === '') throw new InvalidReferenceError();
  if (tag === undefined && digest === undefined && isFullHexId(rest)) {
    throw new InvalidReferenceError(`repository name (${rest}) cannot be a 64-byte hexadecimal string`);
  }
  const { domain, path } = name(rest);
  if (tag === undefined && digest === undefined && defaultTag) tag = DEFAULT_TAG;
  const ref: Reference = { domain, path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** A repository name (`rest` above) normalised and checked: domain, lowercase path components, length. */
function parseName(rest: string): ParsedName {
  const { domain, path } = splitDomain(rest);
  if (domain !== DEFAULT_DOMAIN && !validDomain(domain)) throw new InvalidReferenceError();
  if (path !== path.toLowerCase()) {
    throw new InvalidReferenceError(`repository name (${path}) must be lowercase`);
  }
  if (!path.split('/').every((c) => PATH_COMPONENT.test(c))) throw new InvalidReferenceError();
  if (`${domain}/${path}`.length > 255) throw new InvalidReferenceError('repository name must not be more than 255 characters');
  return { domain, path };
}

/** `parseReference` then `formatReference`: the canonical key used in the tags table. */
export function normalizeReference(input: string): string {
  return formatReference(parseReference(input));
}

export { pathMatch } from '../../../shared/path-match.ts';
