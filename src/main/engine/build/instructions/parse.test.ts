import { describe, expect, it } from 'vitest';
import { parse } from '../parser/parser.ts';
import { DockerfileParseError } from '../parser/errors.ts';
import { parseStages } from './parse.ts';
import type { Command } from './types.ts';

/** Parses a stage body (a FROM is prepended, so lines are offset by one). */
function commands(body: string): Command[] {
  return parseStages(parse('FROM scratch\n' + body).children).stages[0]!.commands;
}

function only<K extends Command['kind']>(body: string, kind: K): Extract<Command, { kind: K }> {
  const [cmd] = commands(body);
  expect(cmd?.kind).toBe(kind);
  return cmd as Extract<Command, { kind: K }>;
}

function parseError(text: string): DockerfileParseError {
  try {
    parseStages(parse(text).children);
  } catch (err) {
    if (err instanceof DockerfileParseError) return err;
    throw err;
  }
  throw new Error('expected a parse error');
}

describe('stages', () => {
  it('splits stages, names them and keeps global ARGs apart', () => {
    const { stages, metaArgs } = parseStages(parse(
      'ARG BASE=alpine\nARG TAG\nFROM --platform=$BUILDPLATFORM ${BASE}:${TAG} AS Build\nRUN make\nFROM scratch\nCOPY --from=build /out /\n',
    ).children);
    expect(metaArgs.map((a) => a.args)).toEqual([[{ key: 'BASE', value: 'alpine', comment: '' }], [{ key: 'TAG', comment: '' }]]);
    expect(stages.map((s) => [s.name, s.baseName, s.platform, s.commands.length])).toEqual([
      ['build', '${BASE}:${TAG}', '$BUILDPLATFORM', 1],
      ['', 'scratch', '', 1],
    ]);
    expect(stages[0]!.location).toEqual({ startLine: 3, endLine: 3 });
  });

  it('rejects instructions before FROM other than ARG', () => {
    const err = parseError('# hi\nRUN x\nFROM a\n');
    expect(err.message).toBe('dockerfile parse error on line 2: no build stage in current context');
  });

  it('validates FROM', () => {
    expect(parseError('FROM a AS 1x\n').reason).toBe('invalid name for build stage: "1x", name can\'t start with a number or contain symbols');
    expect(parseError('FROM a b\n').reason).toBe('FROM requires either one or three arguments');
    expect(parseError('FROM --plat=x a\n').reason).toBe('unknown flag: plat');
    expect(parseError('FROM --platfrom=x a\n').reason).toBe('unknown flag: platfrom (did you mean platform?)');
  });
});

describe('errors name the line', () => {
  it('unknown instruction', () => {
    const err = parseError('FROM a\nRUN x\n\n\n\n\nFOOBAR bar\n');
    expect(err.startLine).toBe(7);
    expect(err.reason).toBe('unknown instruction: FOOBAR');
    expect(err.describe()).toBe('Dockerfile:7: unknown instruction: FOOBAR');
    expect(err.message).toBe('dockerfile parse error on line 7: unknown instruction: FOOBAR');
  });
  it('suggests a close instruction', () => {
    expect(parseError('FORM a\n').reason).toBe('unknown instruction: FORM (did you mean FROM?)');
    expect(parseError('from a\ncopu a b\n').reason).toBe('unknown instruction: copu (did you mean copy?)');
  });
  it('flag errors use BuildKit wording', () => {
    expect(parseError('FROM a\nCOPY --bogus=1 a b\n').reason).toBe('unknown flag: bogus');
    expect(parseError('FROM a\nCOPY --chmode=1 a b\n').reason).toBe('unknown flag: chmode (did you mean chmod?)');
    expect(parseError('FROM a\nCOPY --chmod a b\n').reason).toBe('missing a value on flag: chmod');
    expect(parseError('FROM a\nCOPY --link=maybe a b\n').reason).toBe('expecting boolean value for flag link, not: maybe');
    expect(parseError('FROM a\nCOPY --from=a --from=b a b\n').reason).toBe('duplicate flag specified: from');
    expect(parseError('FROM a\nCOPY --link= a b\n').reason).toBe('missing a value on flag: link');
  });
  it('a multi-line instruction reports its whole range', () => {
    const err = parseError('FROM a\nCOPY \\\n  onlyone\n');
    expect([err.startLine, err.endLine]).toEqual([2, 3]);
    expect(err.reason).toBe('COPY requires at least two arguments, but only one was provided. Destination could not be determined');
  });
});

describe('instructions', () => {
  it('ENV in both forms', () => {
    expect(only('ENV A b c\n', 'env').env).toEqual([{ key: 'A', value: 'b c', noDelim: true }]);
    expect(only('ENV A=1 "B"="two words"\n', 'env').env).toEqual([
      { key: 'A', value: '1', noDelim: false },
      { key: '"B"', value: '"two words"', noDelim: false },
    ]);
    expect(parseError('FROM a\nENV =x\n').reason).toBe('ENV names can not be blank');
  });

  it('LABEL and MAINTAINER', () => {
    expect(only('LABEL a=b c="d e"\n', 'label').labels.map((l) => [l.key, l.value])).toEqual([['a', 'b'], ['c', '"d e"']]);
    expect(only('MAINTAINER Jane <j@x>\n', 'maintainer').maintainer).toBe('Jane <j@x>');
  });

  it('RUN shell form, exec form, flags and heredocs', () => {
    const shell = only('RUN echo hi\n', 'run');
    expect([shell.cmdLine, shell.prependShell]).toEqual([['echo hi'], true]);
    const exec = only('RUN ["ls", "-l"]\n', 'run');
    expect([exec.cmdLine, exec.prependShell]).toEqual([['ls', '-l'], false]);
    const flagged = only('RUN --mount=type=cache,target=/c --network=none --security=insecure make\n', 'run');
    expect([flagged.mounts, flagged.network, flagged.security, flagged.flagsUsed]).toEqual([
      ['type=cache,target=/c'], 'none', 'insecure', ['mount', 'network', 'security'],
    ]);
    expect(parseError('FROM a\nRUN --network=bridge x\n').reason).toBe('unsupported network mode "bridge"');
    const heredoc = only('RUN <<EOF\necho a\nEOF\n', 'run');
    expect([heredoc.cmdLine, heredoc.files]).toEqual([['<<EOF'], [{ name: 'EOF', data: 'echo a\n', chomp: false }]]);
  });

  it('CMD and ENTRYPOINT', () => {
    expect(only('CMD ["node", "app.js"]\n', 'cmd').cmdLine).toEqual(['node', 'app.js']);
    expect(only('CMD node app.js\n', 'cmd').cmdLine).toEqual(['node app.js']);
    expect(only('CMD []\n', 'cmd').cmdLine).toEqual([]);
    expect(only('ENTRYPOINT []\n', 'entrypoint').cmdLine).toBeNull();
  });

  it('COPY and ADD flags', () => {
    const copy = only('COPY --from=build --chown=1:2 --chmod=0755 --link --parents --exclude=*.md --exclude=x a b /dst/\n', 'copy');
    expect(copy).toMatchObject({
      from: 'build', chown: '1:2', chmod: '0755', link: true, parents: true,
      excludePatterns: ['*.md', 'x'], sourcePaths: ['a', 'b'], destPath: '/dst/', sourceContents: [],
    });
    const add = only('ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false https://x/y.tar /\n', 'add');
    expect(add).toMatchObject({ checksum: 'sha256:abc', keepGitDir: true, unpack: false, link: false });
    expect(only('ADD a b\n', 'add').unpack).toBeUndefined();
    expect(parseError('FROM a\nADD --from=x a b\n').reason).toBe('unknown flag: from');
    expect(parseError('FROM a\nCOPY --checksum=x a b\n').reason).toBe('unknown flag: checksum');
    expect(only('COPY ["a b", "c"]\n', 'copy').sourcePaths).toEqual(['a b']);
  });

  it('COPY heredoc sources become inline files', () => {
    const copy = only('COPY <<-one <<"two" /dst/\n\thello $X\none\nlit $X\ntwo\n', 'copy');
    expect(copy.sourcePaths).toEqual([]);
    expect(copy.sourceContents).toEqual([
      { path: 'one', data: 'hello $X\n', expand: true },
      { path: 'two', data: 'lit $X\n', expand: false },
    ]);
    expect(parseError('FROM a\nCOPY a <<EOF\nx\nEOF\n').reason).toBe('COPY cannot accept a heredoc as a destination');
  });

  it('HEALTHCHECK', () => {
    expect(only('HEALTHCHECK NONE\n', 'healthcheck').health.test).toEqual(['NONE']);
    const hc = only('HEALTHCHECK --interval=5s --timeout=1m30s --start-period=0s --retries=3 CMD curl -f http://x/ || exit 1\n', 'healthcheck');
    expect(hc.health).toEqual({
      test: ['CMD-SHELL', 'curl -f http://x/ || exit 1'], interval: 5e9, timeout: 90e9, startPeriod: 0, startInterval: 0, retries: 3,
    });
    expect(only('HEALTHCHECK CMD ["curl", "x"]\n', 'healthcheck').health.test).toEqual(['CMD', 'curl', 'x']);
    expect(parseError('FROM a\nHEALTHCHECK CONNECT TCP 7000\n').reason).toBe('Unknown type "CONNECT" in HEALTHCHECK (try CMD)');
    expect(parseError('FROM a\nHEALTHCHECK CMD\n').reason).toBe('Missing command after HEALTHCHECK CMD');
    expect(parseError('FROM a\nHEALTHCHECK --interval=1us CMD x\n').reason).toBe('Interval "interval" cannot be less than 1ms');
    expect(parseError('FROM a\nHEALTHCHECK --retries=-1 CMD x\n').reason).toBe('--retries cannot be negative (-1)');
    expect(parseError('FROM a\nHEALTHCHECK NONE x\n').reason).toBe('HEALTHCHECK NONE takes no arguments');
  });

  it('EXPOSE, USER, VOLUME, WORKDIR, STOPSIGNAL, SHELL, ARG', () => {
    expect(only('EXPOSE 80 443/tcp 53/udp\n', 'expose').ports).toEqual(['443/tcp', '53/udp', '80']);
    expect(only('USER app:app\n', 'user').user).toBe('app:app');
    expect(only('VOLUME ["/a", "/b"]\n', 'volume').volumes).toEqual(['/a', '/b']);
    expect(only('VOLUME /a /b\n', 'volume').volumes).toEqual(['/a', '/b']);
    expect(only('WORKDIR /srv/app\n', 'workdir').path).toBe('/srv/app');
    expect(only('STOPSIGNAL SIGKILL\n', 'stopsignal').signal).toBe('SIGKILL');
    expect(only('SHELL ["/bin/bash", "-c"]\n', 'shell').shell).toEqual(['/bin/bash', '-c']);
    expect(parseError('FROM a\nSHELL /bin/bash -c\n').reason).toBe('SHELL requires the arguments to be in JSON form');
    expect(only('# V the version\nARG V=1 W\n', 'arg').args).toEqual([
      { key: 'V', value: '1', comment: 'the version' },
      { key: 'W', comment: '' },
    ]);
    expect(parseError('FROM a\nWORKDIR\n').reason).toBe('WORKDIR requires exactly one argument');
    expect(parseError('FROM a\nUSER\n').reason).toBe('USER requires exactly one argument');
    expect(only('USER a b\n', 'user').user).toBe('a b');
  });

  it('ONBUILD keeps the trigger text and rejects chaining', () => {
    expect(only('ONBUILD RUN echo "hi"\n', 'onbuild').expression).toBe('RUN echo "hi"');
    expect(only('onbuild COPY <<EOF /x\nbody\nEOF\n', 'onbuild').expression).toBe('COPY <<EOF /x\nbody\nEOF');
    expect(parseError('FROM a\nONBUILD ONBUILD RUN x\n').reason).toBe('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
    expect(parseError('FROM a\nONBUILD FROM b\n').reason).toBe('FROM isn\'t allowed as an ONBUILD trigger');
  });

  it('keeps keyword case and source text', () => {
    const cmd = only('run   echo hi  \n', 'run');
    expect([cmd.keyword, cmd.code, cmd.location]).toEqual(['run', 'run   echo hi', { startLine: 2, endLine: 2 }]);
  });
});
