/**
 * `ps --filter` / `GET /containers/json?filters=` as moby applies them: every key must match; the
 * values of one key are alternatives, except `label`, whose values must all be present.
 */
import { StrataError } from '../../../shared/errors.ts';
import type { ContainerRecord } from './container-service.ts';

const STATES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);

/** What resolving `ancestor=IMAGE` needs. */
export interface ImageResolver {
  tryResolve(ref: string): string | undefined;
}

function matches(images: ImageResolver, c: ContainerRecord, key: string, value: string): boolean {
  switch (key) {
    case 'name':
      return c.name.includes(value.replace(/^\//, ''));
    case 'id':
      return c.id.startsWith(value);
    case 'status':
      if (!STATES.has(value)) throw new StrataError('invalid', `invalid filter 'status=${value}'`);
      return c.state === value;
    case 'ancestor':
      return c.image === value || images.tryResolve(value) === c.imageId;
    case 'label': {
      const eq = value.indexOf('=');
      const labels = c.config.Labels ?? {};
      return eq === -1 ? value in labels : labels[value.slice(0, eq)] === value.slice(eq + 1);
    }
    case 'exited':
      return c.state === 'exited' && String(c.exitCode) === value;
    default:
      throw new StrataError('invalid', `invalid filter '${key}'`);
  }
}

const KEYS = new Set(['name', 'id', 'status', 'ancestor', 'label', 'exited']);

/** Refuses unknown keys and states up front, as moby does, even when there is nothing to filter. */
export function checkContainerFilters(filters: Record<string, readonly string[]>): void {
  for (const [key, values] of Object.entries(filters)) {
    if (!KEYS.has(key)) throw new StrataError('invalid', `invalid filter '${key}'`);
    for (const v of key === 'status' ? values : []) if (!STATES.has(v)) throw new StrataError('invalid', `invalid filter 'status=${v}'`);
  }
}

/** Whether a container passes every filter (key → values). */
export function matchesContainerFilters(images: ImageResolver, c: ContainerRecord, filters: Record<string, readonly string[]>): boolean {
  return Object.entries(filters).every(([key, values]) =>
    key === 'label' ? values.every((v) => matches(images, c, key, v)) : values.some((v) => matches(images, c, key, v)),
  );
}
