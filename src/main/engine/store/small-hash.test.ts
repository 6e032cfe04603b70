import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SmallHash, randomHex } from './small-hash.ts';

const reference = (parts: (string | Uint8Array)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

describe('SmallHash', () => {
  it("gives node:crypto's SHA-256 for every length around the block and padding boundaries", () => {
    const data = randomBytes(300);
    for (let n = 0; n <= 300; n++) {
      expect(new SmallHash().update(data.subarray(0, n)).digest('hex'), `${n} bytes`).toBe(reference([data.subarray(0, n)]));
    }
  });

  it('encodes strings as UTF-8, as node:crypto does, lone surrogates included', () => {
    for (const s of ['', 'abc', 'café ☕ 日本', '\u{1f600}', 'a\ud800b', '\udfff', 'x\0y\n'.repeat(40)]) {
      expect(new SmallHash().update(s).digest('hex'), JSON.stringify(s)).toBe(reference([s]));
    }
  });

  it('joins several updates, strings and bytes, as one input', () => {
    for (let i = 0; i < 50; i++) {
      const parts: (string | Uint8Array)[] = [];
      const count = 1 + (i % 7);
      for (let k = 0; k < count; k++) parts.push(k % 2 ? randomBytes(i * 13 % 150) : `line ${i}/${k}\0${'é'.repeat(k * 9)}\n`);
      const h = new SmallHash();
      for (const p of parts) h.update(p);
      expect(h.digest('hex')).toBe(reference(parts));
    }
  });

  it('hands inputs past its limit to node:crypto without losing what came before', () => {
    const parts = [randomBytes(40_000), 'tail of a large listing', randomBytes(40_000), randomBytes(1 << 20)];
    const h = new SmallHash();
    for (const p of parts) h.update(p);
    expect(h.digest('hex')).toBe(reference(parts));
    // One update larger than the limit at once.
    const big = randomBytes(200_000);
    expect(new SmallHash().update(big).digest('hex')).toBe(reference([big]));
  });
});

describe('randomHex', () => {
  it('gives the asked number of random bytes as hex, different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const id = randomHex(12);
      expect(id).toMatch(/^[0-9a-f]{24}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(200);
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
  });
});
