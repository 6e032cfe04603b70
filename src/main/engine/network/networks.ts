/**
 * Networks by name, as docker-compose and the Engine API expect to create and remove them. The
 * sandbox has no bridge: a container on a user-defined network (like one on `bridge`) gets a
 * private network namespace with its own loopback, so names on a network do not resolve to other
 * containers yet. `host` and `none` are docker's predefined networks.
 */
import { randomBytes } from 'node:crypto';
import type { DB } from '../metadata/db.ts';
import { migrate } from '../metadata/db.ts';
import { StrataError } from '../../../shared/errors.ts';

const MIGRATIONS: readonly string[] = [
  /* 1: user-defined networks */ `
  CREATE TABLE networks (
    id       TEXT PRIMARY KEY,          -- 64 hex digits
    name     TEXT NOT NULL UNIQUE,
    driver   TEXT NOT NULL,
    labels   TEXT NOT NULL DEFAULT '{}',-- JSON
    created  INTEGER NOT NULL           -- unix ms
  );`,
];

export interface Network {
  id: string;
  name: string;
  driver: string;
  labels: Record<string, string>;
  /** Unix ms (0 for the predefined ones). */
  created: number;
  predefined: boolean;
}

/** docker's predefined networks, with stable IDs derived from their names. */
const PREDEFINED: Network[] = ['bridge', 'host', 'none'].map((name) => ({
  id: Buffer.from(name.padEnd(32, '0')).toString('hex'),
  name,
  driver: name === 'none' ? 'null' : name,
  labels: {},
  created: 0,
  predefined: true,
}));

interface Row {
  id: string;
  name: string;
  driver: string;
  labels: string;
  created: number;
}

export class Networks {
  private readonly db: DB;

  constructor(db: DB) {
    this.db = db;
    migrate(db, 'networks', MIGRATIONS);
  }

  list(): Network[] {
    const rows = this.db.prepare('SELECT * FROM networks ORDER BY created').all() as Row[];
    return [...PREDEFINED, ...rows.map(toNetwork)];
  }

  /** By full name, full ID or unique ID prefix, as docker resolves networks. */
  get(ref: string): Network {
    const all = this.list();
    const exact = all.find((n) => n.name === ref || n.id === ref);
    if (exact) return exact;
    const byPrefix = all.filter((n) => n.id.startsWith(ref));
    if (byPrefix.length === 1) return byPrefix[0]!;
    throw new StrataError('not-found', `network ${ref} not found`, { details: { network: ref } });
  }

  create(name: string, driver = 'bridge', labels: Record<string, string> = {}): Network {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new StrataError('invalid', `invalid network name "${name}"`);
    if (driver !== 'bridge') throw new StrataError('unsupported', `network driver "${driver}" is not supported: Strata networks are bridge networks`);
    if (this.list().some((n) => n.name === name)) throw new StrataError('conflict', `network with name ${name} already exists`);
    const id = randomBytes(32).toString('hex');
    this.db.prepare('INSERT INTO networks(id, name, driver, labels, created) VALUES (?, ?, ?, ?, ?)').run(id, name, driver, JSON.stringify(labels), Date.now());
    return this.get(id);
  }

  remove(ref: string): void {
    const n = this.get(ref);
    if (n.predefined) throw new StrataError('permission-denied', `${n.name} is a pre-defined network and cannot be removed`);
    this.db.prepare('DELETE FROM networks WHERE id = ?').run(n.id);
  }
}

function toNetwork(r: Row): Network {
  return { id: r.id, name: r.name, driver: r.driver, labels: JSON.parse(r.labels) as Record<string, string>, created: r.created, predefined: false };
}
