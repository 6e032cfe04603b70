import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../build/frontend.ts';
import { applyConfigChanges, applyConfigInstruction, ChangeError, isConfigInstruction, type DispatchScope } from './config-changes.ts';
import type { ContainerConfig } from './oci.ts';

describe('applyConfigChanges (import/commit --change, moby BuildFromConfig)', () => {
  it('import (an empty config) and commit (a container config) both take HEALTHCHECK and STOPSIGNAL', () => {
    const changes = ['HEALTHCHECK --interval=5s --timeout=2s CMD ["curl", "-f", "http://localhost/"]', 'STOPSIGNAL SIGQUIT'];
    const imported = applyConfigChanges({}, changes);
    const committed = applyConfigChanges({ Env: ['PATH=/bin'], Cmd: ['sh'] }, changes);
    for (const c of [imported, committed]) {
      expect(c.Healthcheck).toEqual({ Test: ['CMD', 'curl', '-f', 'http://localhost/'], Interval: 5_000_000_000, Timeout: 2_000_000_000 });
      expect(c.StopSignal).toBe('SIGQUIT');
    }
    expect(committed.Cmd).toEqual(['sh']);
    expect(applyConfigChanges({}, ['HEALTHCHECK NONE']).Healthcheck).toEqual({ Test: ['NONE'] });
  });

  it('ENV replaces a variable in place and appends new names', () => {
    const c = applyConfigChanges({ Env: ['PATH=/bin', 'A=1', 'B=2'] }, ['ENV A=3 C=4', 'ENV PATH /usr/bin']);
    expect(c.Env).toEqual(['PATH=/usr/bin', 'A=3', 'B=2', 'C=4']);
  });

  it('expands variables against the Env so far, like the dispatcher', () => {
    const c = applyConfigChanges({ Env: ['HOME=/root'] }, ['ENV A=one', 'ENV B=${A}-two', 'WORKDIR $HOME/app', 'LABEL "x y"=$A']);
    expect(c.Env).toEqual(['HOME=/root', 'A=one', 'B=one-two']);
    expect(c.WorkingDir).toBe('/root/app');
    expect(c.Labels).toEqual({ 'x y': 'one' });
  });

  it('shell-form CMD and ENTRYPOINT run through the config\'s SHELL; no ArgsEscaped (classic builder)', () => {
    const c = applyConfigChanges({ Shell: ['/bin/bash', '-c'] }, ['CMD echo "hi there"', 'ENTRYPOINT ["/init"]']);
    expect(c.Cmd).toEqual(['/bin/bash', '-c', 'echo "hi there"']);
    expect(c.Entrypoint).toEqual(['/init']);
    expect(c.ArgsEscaped).toBeUndefined();
  });

  it('a new ENTRYPOINT resets the inherited CMD, but not one from the same set of changes', () => {
    expect(applyConfigChanges({ Cmd: ['sh'] }, ['ENTRYPOINT ["/init"]']).Cmd).toBeNull();
    expect(applyConfigChanges({ Cmd: ['sh'] }, ['CMD ["run"]', 'ENTRYPOINT ["/init"]']).Cmd).toEqual(['run']);
    expect(applyConfigChanges({ Entrypoint: ['/init'] }, ['ENTRYPOINT []']).Entrypoint).toBeNull();
  });

  it('ONBUILD keeps its trigger text, even one that is not an instruction', () => {
    const c = applyConfigChanges({ OnBuild: ['RUN a'] }, ['ONBUILD copy . /src', 'ONBUILD /usr/local/bin/python-build --dir /app/src']);
    expect(c.OnBuild).toEqual(['RUN a', 'copy . /src', '/usr/local/bin/python-build --dir /app/src']);
  });

  it('WORKDIR resolves against the current one; EXPOSE and VOLUME add to what is there', () => {
    const c = applyConfigChanges({ WorkingDir: '/srv', ExposedPorts: { '22/tcp': {} }, Volumes: { '/a': {} } }, [
      'WORKDIR app/../web', 'EXPOSE 8000-8001 53/UDP', 'VOLUME ["/b", "/c"]', 'USER 1000:1000',
    ]);
    expect(c.WorkingDir).toBe('/srv/web');
    expect(c.ExposedPorts).toEqual({ '22/tcp': {}, '8000/tcp': {}, '8001/tcp': {}, '53/udp': {} });
    expect(c.Volumes).toEqual({ '/a': {}, '/b': {}, '/c': {} });
    expect(c.User).toBe('1000:1000');
  });

  it('leaves the base config untouched and ignores blank changes', () => {
    const base: ContainerConfig = { Env: ['A=1'], Labels: { x: '1' } };
    const c = applyConfigChanges(base, ['ENV A=2', 'LABEL x=2']);
    expect(base).toEqual({ Env: ['A=1'], Labels: { x: '1' } });
    expect(c).toEqual({ Env: ['A=2'], Labels: { x: '2' } });
    expect(applyConfigChanges(base, [])).toEqual(base);
    expect(applyConfigChanges(base, ['', '  '])).toEqual(base);
  });

  it('refuses what moby refuses, in one line with its wording', () => {
    const error = (changes: string[]): string => {
      try {
        applyConfigChanges({}, changes);
      } catch (err) {
        expect(err).toBeInstanceOf(ChangeError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(error(['RUN echo'])).toBe('run is not a valid change command');
    expect(error(['ENV A=1', 'FROM busybox'])).toBe('from is not a valid change command');
    expect(error(['SHELL ["/bin/bash", "-c"]'])).toBe('shell is not a valid change command');
    expect(error(['COPY a /b'])).toBe('copy is not a valid change command');
    expect(error(['FOO bar'])).toMatch(/^unknown instruction: FOO/);
    expect(error(['STOPSIGNAL SIGNOPE'])).toBe('invalid signal: SIGNOPE');
    expect(error(['HEALTHCHECK --interval=5s PING x'])).toBe('Unknown type "PING" in HEALTHCHECK (try CMD)');
    expect(error(['EXPOSE 99999'])).toBe('invalid containerPort: 99999');
    expect(error(['ONBUILD ONBUILD RUN x'])).toBe("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    expect(error(['USER'])).toBe('USER requires exactly one argument');
  });
});

describe('applyConfigInstruction (the builder\'s dispatcher)', () => {
  /** Dispatches a stage's config instructions the way builder.ts does (BuildKit's rules). */
  function dispatch(dockerfile: string, base: ContainerConfig = {}): ContainerConfig {
    const config = structuredClone(base);
    const scope: DispatchScope = {};
    for (const cmd of parseDockerfile(dockerfile).stages[0]!.commands) if (isConfigInstruction(cmd)) applyConfigInstruction(config, cmd, scope);
    return config;
  }

  it('uses the same semantics as --change, plus BuildKit\'s ArgsEscaped and SHELL', () => {
    const c = dispatch('FROM scratch\nSHELL ["/bin/ash", "-eo", "pipefail", "-c"]\nCMD run me\nENTRYPOINT ["/init"]\nENV B=3\n', { Env: ['A=1', 'B=2'] });
    expect(c).toEqual({ Env: ['A=1', 'B=3'], Shell: ['/bin/ash', '-eo', 'pipefail', '-c'], Cmd: ['/bin/ash', '-eo', 'pipefail', '-c', 'run me'], ArgsEscaped: true, Entrypoint: ['/init'] });
  });

  it('gives the config --change gives for the same config instructions', () => {
    const lines = ['ENV A=1', 'LABEL l=v', 'EXPOSE 80', 'USER app', 'VOLUME /data', 'STOPSIGNAL 9', 'WORKDIR /w', 'ONBUILD RUN make', 'HEALTHCHECK CMD true', 'ENTRYPOINT ["/e"]'];
    const built = dispatch(`FROM scratch\n${lines.join('\n')}\n`, { Cmd: ['sh'] });
    expect(applyConfigChanges({ Cmd: ['sh'] }, lines)).toEqual(built);
  });
});
