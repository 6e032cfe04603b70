import { describe, expect, it } from 'vitest';
import { applyConfigChanges } from '../image/config-changes.ts';
import { containerSettings, parseEnvFile, processEnv, replaceOrAppendEnv } from './config.ts';
import { randomName } from './names.ts';

const IMAGE = { Env: ['PATH=/usr/bin:/bin', 'TARGET=default', 'LANG=C'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '/app', Labels: { a: '1' } };

describe('container config from image and flags (moby daemon merge)', () => {
  it('puts the user environment first and keeps image variables it does not override', () => {
    const s = containerSettings(IMAGE, { image: 'img', env: [] }, ['TARGET=x', 'NEW=1'], 'abc');
    expect(s.Env).toEqual(['TARGET=x', 'NEW=1', 'PATH=/usr/bin:/bin', 'LANG=C']);
    expect(containerSettings(IMAGE, { image: 'img' }, [], 'abc').Env).toEqual(IMAGE.Env);
  });

  it('inherits CMD only without a user command or entrypoint; --entrypoint "" resets it', () => {
    expect(containerSettings(IMAGE, { image: 'i' }, [], 'h').Cmd).toEqual(['sh']);
    expect(containerSettings(IMAGE, { image: 'i', cmd: ['ls'] }, [], 'h').Cmd).toEqual(['ls']);
    const ep = containerSettings({ ...IMAGE, Entrypoint: ['/init'] }, { image: 'i', entrypoint: '/bin/echo' }, [], 'h');
    expect([ep.Entrypoint, ep.Cmd]).toEqual([['/bin/echo'], null]);
    const reset = containerSettings({ ...IMAGE, Entrypoint: ['/init'] }, { image: 'i', entrypoint: '', cmd: ['true'] }, [], 'h');
    expect([reset.Entrypoint, reset.Cmd]).toEqual([null, ['true']]);
  });

  it('resolves -w against the image WORKDIR and merges labels', () => {
    const s = containerSettings(IMAGE, { image: 'i', workdir: 'sub', labels: ['b=2', 'a=3'] }, [], 'h');
    expect(s.WorkingDir).toBe('/app/sub');
    expect(s.Labels).toEqual({ a: '3', b: '2' });
  });

  it('gives the process PATH, HOSTNAME, TERM for a tty, then the container Env, then HOME', () => {
    const s = containerSettings(IMAGE, { image: 'i', tty: true }, ['TARGET=x'], 'abc123');
    expect(processEnv(s, '/root')).toEqual(['PATH=/usr/bin:/bin', 'HOSTNAME=abc123', 'TERM=xterm', 'TARGET=x', 'LANG=C', 'HOME=/root']);
  });

  it('reads env files like docker: comments, blanks, bare names from the caller', () => {
    expect(parseEnvFile('# c\n\nA=1\n  B=two words\nHOMEVAR\nMISSING\n', { HOMEVAR: 'h' })).toEqual(['A=1', 'B=two words', 'HOMEVAR=h']);
    expect(() => parseEnvFile('BAD NAME=1\n', {})).toThrow("variable 'BAD NAME' contains whitespaces");
  });

  it('replaces variables in place and appends new ones', () => {
    expect(replaceOrAppendEnv(['PATH=/a', 'X=1'], ['PATH=/b', 'Y=2'])).toEqual(['PATH=/b', 'X=1', 'Y=2']);
  });
});

describe('commit --change (moby validCommitCommands)', () => {
  it('applies every allowed instruction', () => {
    const c = applyConfigChanges({ Env: ['PATH=/usr/bin'], Cmd: ['sh'], WorkingDir: '/app' }, [
      'ENV DEBUG true', 'ENV PATH=/foo A="b c"', 'EXPOSE 8080 53/udp', 'LABEL x=y "z z"=w', 'CMD ["/bin/sh"]', 'WORKDIR sub',
      'ENTRYPOINT ["/bin/sh"]', 'USER nobody', 'VOLUME /data /logs', 'ONBUILD RUN make', 'STOPSIGNAL SIGINT',
      'HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://localhost/',
    ]);
    expect(c.Env).toEqual(['PATH=/foo', 'DEBUG=true', 'A=b c']);
    expect(c.ExposedPorts).toEqual({ '8080/tcp': {}, '53/udp': {} });
    expect(c.Labels).toEqual({ x: 'y', 'z z': 'w' });
    // CMD survives the ENTRYPOINT because it came in the same set of changes.
    expect([c.Cmd, c.Entrypoint]).toEqual([['/bin/sh'], ['/bin/sh']]);
    expect(c.WorkingDir).toBe('/app/sub');
    expect(c.User).toBe('nobody');
    expect(c.Volumes).toEqual({ '/data': {}, '/logs': {} });
    expect(c.OnBuild).toEqual(['RUN make']);
    expect(c.StopSignal).toBe('SIGINT');
    expect(c.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'curl -f http://localhost/'], Interval: 5_000_000_000, Retries: 3 });
  });

  it('a lone ENTRYPOINT resets CMD; shell forms run through /bin/sh -c', () => {
    const c = applyConfigChanges({ Cmd: ['sh'] }, ['ENTRYPOINT top -b']);
    expect([c.Entrypoint, c.Cmd]).toEqual([['/bin/sh', '-c', 'top -b'], null]);
  });

  it('refuses instructions commit does not allow', () => {
    expect(() => applyConfigChanges({}, ['RUN echo'])).toThrow('run is not a valid change command');
    expect(() => applyConfigChanges({}, ['ONBUILD ONBUILD RUN x'])).toThrow(/Chaining ONBUILD/);
  });
});

describe('random names', () => {
  it('are adjective_surname like docker', () => {
    for (let i = 0; i < 50; i++) expect(randomName()).toMatch(/^[a-z]+_[a-z]+$/);
    expect(randomName(1)).toMatch(/^[a-z]+_[a-z]+\d$/);
  });
});
