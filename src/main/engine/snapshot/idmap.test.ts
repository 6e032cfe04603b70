import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseSubordinate } from './idmap.ts';

const IDMAP = fileURLToPath(new URL('./idmap.ts', import.meta.url));

describe('user ID mapping', () => {
  it('reads the first range of a user from /etc/subuid, by name or by ID', () => {
    const text = 'alice:100000:65536\n# comment\nbob:200000:0\nbob:x:1\n1002:300000:1000\nbob:400000:65536\n';
    expect(parseSubordinate(text, 'alice', 1001)).toEqual({ start: 100000, count: 65536 });
    // Empty and malformed ranges are passed over, as newuidmap does.
    expect(parseSubordinate(text, 'bob', 1003)).toEqual({ start: 400000, count: 65536 });
    expect(parseSubordinate(text, 'carol', 1002)).toEqual({ start: 300000, count: 1000 });
    expect(parseSubordinate(text, 'dave', 1004)).toBeUndefined();
  });

  it('without a subordinate range: single mapping, said once with the usermod fix', () => {
    // As root, uid 65534 has no range; an ordinary user gets the same through STRATA_ID_MAPPING=single.
    const drop = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const script = `const m = await import(${JSON.stringify(IDMAP)}); console.log(JSON.stringify({ mode: m.idMapping().mode, first: m.takeLimitedNotice(), second: m.takeLimitedNotice() ?? null }));`;
    const [cmd, ...args] = [...drop, process.execPath, '--input-type=module', '-e', script];
    const res = spawnSync(cmd!, args, { encoding: 'utf8', cwd: '/', env: { PATH: process.env.PATH ?? '', STRATA_ID_MAPPING: drop.length ? '' : 'single' } });
    expect(res.stderr).toBe('');
    const seen = JSON.parse(res.stdout) as { mode: string; first: string; second: string | null };
    expect(seen.mode).toBe('single');
    expect(seen.first).toMatch(/limited: all files owned by you.*To fix: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 \S+$/);
    expect(seen.second).toBeNull();
  });
});
