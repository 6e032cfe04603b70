import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/tmp.ts';
import { openContext } from './context.ts';
import { contextTar } from './context-tar.ts';

/** Every entry of a tar stream: name, type, link target, owner and the bytes of regular files. */
async function entries(stream: NodeJS.ReadableStream): Promise<Map<string, { type: string; linkname: string | null | undefined; uid: number | undefined; body: string }>> {
  const out = new Map<string, { type: string; linkname: string | null | undefined; uid: number | undefined; body: string }>();
  const extract = tar.extract();
  stream.pipe(extract);
  for await (const e of extract) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.set(e.header.name, { type: e.header.type ?? 'file', linkname: e.header.linkname, uid: e.header.uid, body: Buffer.concat(chunks).toString() });
  }
  return out;
}

describe('the build context as the tar an engine\'s /build receives', () => {
  const tmp = tempDir('strata-context-tar-');
  afterAll(() => tmp.cleanup());
  const dir = join(tmp.path, 'ctx');
  mkdirSync(join(dir, 'secret'), { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /\n');
  writeFileSync(join(dir, 'app.sh'), 'echo app\n');
  writeFileSync(join(dir, 'debug.log'), 'ignored\n');
  writeFileSync(join(dir, 'secret', 'key'), 'never sent\n');
  writeFileSync(join(dir, 'secret', 'public.pem'), 'kept by an exception\n');
  writeFileSync(join(dir, '.dockerignore'), '*.log\nsecret\n!secret/public.pem\nDockerfile\n');
  symlinkSync('/etc/passwd', join(dir, 'escape'));
  execFileSync('mkfifo', [join(dir, 'pipe')]);

  it('sends what .dockerignore keeps, links as links, a FIFO as a FIFO (never opened), owners 0:0, and the Dockerfile even when ignored', async () => {
    const t = contextTar(openContext(dir));
    expect(t.dockerfile).toBe('Dockerfile');
    const got = await entries(t.stream);
    expect([...got.keys()].sort()).toEqual(['.dockerignore', 'Dockerfile', 'app.sh', 'escape', 'pipe', 'secret/', 'secret/public.pem']);
    expect(got.get('escape')).toMatchObject({ type: 'symlink', linkname: '/etc/passwd', body: '' });
    expect(got.get('pipe')).toMatchObject({ type: 'fifo', body: '' });
    expect(got.get('app.sh')).toMatchObject({ type: 'file', uid: 0, body: 'echo app\n' });
    expect(got.get('Dockerfile')!.body).toBe('FROM scratch\nCOPY . /\n');
  });

  it('sends a Dockerfile that is a link inside the context as the text it points to, and never a file outside', async () => {
    const other = join(tmp.path, 'linked');
    mkdirSync(join(other, 'files'), { recursive: true });
    writeFileSync(join(other, 'files', 'real.Dockerfile'), 'FROM scratch\n');
    symlinkSync('/files/real.Dockerfile', join(other, 'Dockerfile'));
    const got = await entries(contextTar(openContext(other, join(other, 'Dockerfile'))).stream);
    expect(got.get('Dockerfile')).toMatchObject({ type: 'file', body: 'FROM scratch\n' });
    expect(got.get('files/real.Dockerfile')!.body).toBe('FROM scratch\n');
  });
});
