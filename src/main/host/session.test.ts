import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Engine } from '../engine/engine.ts';
import { createHandlers } from './handlers.ts';
import { HostSession, errorInfo } from './session.ts';
import { ImageNotFoundError } from '../engine/image/image-service.ts';
import { StrataError } from '../../shared/errors.ts';
import { tempDir } from '../../../test/tmp.ts';

/** The envelope the renderer receives carries the engine's code and details, never a guess from the message. */
describe('host session error envelopes', () => {
  const tmp = tempDir();
  const engine = Engine.open({ root: join(tmp.path, 'store') });
  const session = new HostSession(createHandlers(engine, { host: 'browser' }), () => {});
  afterAll(() => {
    session.dispose();
    engine.close();
    tmp.cleanup();
  });

  it('answers a missing image with not-found', async () => {
    expect(await session.invoke('images.inspect', { ref: 'nope' })).toEqual({ ok: false, error: { code: 'not-found', message: 'No such image: nope:latest' } });
  });

  it('answers a malformed request with invalid', async () => {
    const res = await session.invoke('images.inspect', { ref: 42 });
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('answers a pull of a malformed reference with invalid', async () => {
    const res = await session.stream('s1', 'images.pull', { ref: 'UPPER/Case' });
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/^invalid reference format/), details: { reason: 'reference-format' } } });
  });

  it('merges details along the cause chain, a wrapper keeping its own (a build line over its cause\'s)', () => {
    const cause = new StrataError('not-found', 'manifest unknown: manifest unknown', { details: { status: 404, errors: ['MANIFEST_UNKNOWN'], line: 9 } });
    const wrapped = new StrataError('not-found', 'failed to solve', { details: { line: 2 }, cause });
    expect(errorInfo(wrapped).details).toEqual({ status: 404, errors: ['MANIFEST_UNKNOWN'], line: 2 });
  });

  it('keeps details and ignores look-alike messages of uncoded errors', () => {
    expect(errorInfo(new StrataError('conflict', 'in use', { details: { container: 'abc' } }))).toEqual({ code: 'conflict', message: 'in use', details: { container: 'abc' } });
    expect(errorInfo(new Error('No such image: x')).code).toBe('internal');
    expect(errorInfo(new ImageNotFoundError('x')).code).toBe('not-found');
  });
});
