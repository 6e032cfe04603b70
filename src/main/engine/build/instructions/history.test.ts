import { describe, expect, it } from 'vitest';
import { parse } from '../parser/parser.ts';
import { parseStages } from './parse.ts';
import { createdBy, parseExposedPorts, progressName, resolveRunCommand, runCommandString } from './history.ts';
import { formatGoDuration, parseGoDuration } from './duration.ts';
import type { Command, RunInstruction } from './types.ts';

function cmd(body: string): Command {
  return parseStages(parse('FROM scratch\n' + body).children).stages[0]!.commands[0]!;
}

function run(body: string): RunInstruction {
  const c = cmd(body);
  if (c.kind !== 'run') throw new Error('not RUN');
  return c;
}

describe('createdBy', () => {
  const cases: Array<[string, string, boolean]> = [
    ['ENV A=b C=d', 'ENV A=b C=d', true],
    ['ENV A b', 'ENV A=b', true],
    ['LABEL lbl=val', 'LABEL lbl=val', true],
    ['MAINTAINER me', 'MAINTAINER me', true],
    ['RUN echo hi', 'RUN /bin/sh -c echo hi # buildkit', false],
    ['RUN ["ls"]', 'RUN ls # buildkit', false],
    ['COPY app.js .', 'COPY app.js . # buildkit', false],
    ['COPY --from=base --link foo2 foo3', 'COPY foo2 foo3 # buildkit', false],
    ['COPY --parents --chown=1:2 --chmod=644 a b /d/', 'COPY --parents --chown=1:2 --chmod=644 a b /d/ # buildkit', false],
    ['ADD <<EOF /x\nhi\nEOF', 'ADD <<EOF /x # buildkit', false],
    ['WORKDIR /web', 'WORKDIR /web', false],
    ['WORKDIR /', 'WORKDIR /', true],
    ['CMD ["node", "/web/app.js"]', 'CMD ["node" "/web/app.js"]', true],
    ['CMD node app.js', 'CMD ["/bin/sh" "-c" "node app.js"]', true],
    ['ENTRYPOINT []', 'ENTRYPOINT []', true],
    ['HEALTHCHECK --interval=5m --timeout=3s CMD curl -f http://localhost/ || exit 1',
      'HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost/ || exit 1"] "5m0s" "3s" "0s" "0s" \'\\x00\'}', true],
    ['HEALTHCHECK NONE', 'HEALTHCHECK &{["NONE"] "0s" "0s" "0s" "0s" \'\\x00\'}', true],
    ['EXPOSE 2375 5000 1234/udp', 'EXPOSE [1234/udp 2375/tcp 5000/tcp]', true],
    ['USER app', 'USER app', true],
    ['VOLUME /a /b', 'VOLUME [/a /b]', true],
    ['STOPSIGNAL SIGINT', 'STOPSIGNAL SIGINT', true],
    ['SHELL ["/bin/bash", "-c"]', 'SHELL [/bin/bash -c]', true],
    ['ARG a=1 b', 'ARG a=1 b', true],
  ];
  for (const [body, expected, empty] of cases) {
    it(body.split('\n')[0]!, () => {
      const entry = createdBy(cmd(body + '\n'));
      expect(entry).toEqual({ createdBy: expected, emptyLayer: empty, comment: 'buildkit.dockerfile.v0' });
    });
  }

  it('records nothing for ONBUILD', () => expect(createdBy(cmd('ONBUILD RUN x\n'))).toBeNull());

  it('resolves WORKDIR against the current directory', () => {
    expect(createdBy(cmd('WORKDIR test2\n'), { workingDir: '/test1' })?.createdBy).toBe('WORKDIR /test1/test2');
  });

  it('uses the image SHELL for shell forms', () => {
    const ctx = { shell: ['/bin/bash', '-eo', 'pipefail', '-c'] };
    expect(createdBy(cmd('RUN a | b\n'), ctx)?.createdBy).toBe('RUN /bin/bash -eo pipefail -c a | b # buildkit');
    expect(createdBy(cmd('CMD a\n'), ctx)?.createdBy).toBe('CMD ["/bin/bash" "-eo" "pipefail" "-c" "a"]');
  });

  it('flattens ARGs in scope into RUN', () => {
    const buildArgs = [{ key: 'foo', value: 'bar', comment: '' }, { key: 'bar', value: '123', comment: '' }, { key: 'foo', value: 'bar2', comment: '' }];
    const entry = createdBy(cmd('RUN ls /etc/\n'), { buildArgs, env: { foo: 'bar2', bar: '123' } });
    expect(entry?.createdBy).toBe('RUN |2 foo=bar2 bar=123 /bin/sh -c ls /etc/ # buildkit');
    expect(runCommandString(['ls'], [{ key: 'x', comment: '' }])).toBe('|1 x= ls');
  });
});

describe('resolveRunCommand', () => {
  it('runs a plain heredoc body in the shell', () => {
    expect(resolveRunCommand(run('RUN <<-EOF\n\techo a\n\techo b\nEOF\n')).args).toEqual(['/bin/sh', '-c', 'echo a\necho b\n']);
  });
  it('mounts a #! heredoc and runs it', () => {
    const r = resolveRunCommand(run('RUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n'));
    expect(r).toEqual({ args: ['/bin/sh', '-c', '/dev/pipes/EOF'], pipeFile: { path: '/dev/pipes/EOF', data: '#!/usr/bin/env python3\nprint(1)\n' } });
  });
  it('passes a command with heredocs to the shell whole', () => {
    expect(resolveRunCommand(run('RUN python3 <<EOF\nprint(1)\nEOF\n')).args).toEqual(['/bin/sh', '-c', 'python3 <<EOF\nprint(1)\nEOF']);
  });
  it('keeps exec form as is', () => {
    expect(resolveRunCommand(run('RUN ["a", "b c"]\n')).args).toEqual(['a', 'b c']);
  });
});

describe('progressName', () => {
  it('expands like BuildKit progress lines', () => {
    expect(progressName(cmd('run echo "$A" $B\n'), { A: 'x' })).toBe('RUN echo "x" $B');
    expect(progressName(cmd('copy $SRC /d\n'), { SRC: 'app.js' })).toBe('COPY app.js /d');
  });
});

describe('ports and durations', () => {
  it('normalises EXPOSE values', () => {
    expect(parseExposedPorts(['80', '8000-8002/udp', '53/UDP', '80/tcp'])).toEqual(['53/udp', '80/tcp', '8000/udp', '8001/udp', '8002/udp']);
    expect(() => parseExposedPorts(['80/icmp'])).toThrow('invalid proto: icmp');
    expect(() => parseExposedPorts(['http'])).toThrow('invalid containerPort: http');
  });
  it('parses and prints Go durations', () => {
    expect(['1h30m', '1.5s', '300ms', '2us', '0', '-1m'].map(parseGoDuration)).toEqual([5400e9, 1.5e9, 300e6, 2e3, 0, -60e9]);
    expect([5400e9, 1.5e9, 300e6, 2e3, 0, 90e9, 1].map(formatGoDuration)).toEqual(['1h30m0s', '1.5s', '300ms', '2µs', '0s', '1m30s', '1ns']);
    expect(() => parseGoDuration('5')).toThrow('time: missing unit in duration "5"');
    expect(() => parseGoDuration('x')).toThrow('time: invalid duration "x"');
  });
});
