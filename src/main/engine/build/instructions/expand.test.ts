import { describe, expect, it } from 'vitest';
import { parse } from '../parser/parser.ts';
import { DockerfileParseError } from '../parser/errors.ts';
import { parseStages } from './parse.ts';
import { expandInstruction, expandStage, normalizeWorkdir, resolveArgs, resolveMetaArgs } from './expand.ts';
import type { Command } from './types.ts';

function first(body: string, prefix = ''): Command {
  return parseStages(parse(prefix + 'FROM scratch\n' + body).children).stages[0]!.commands[0]!;
}

function expanded<K extends Command['kind']>(body: string, kind: K, env: Record<string, string>, escapeToken?: string): Extract<Command, { kind: K }> {
  const prefix = escapeToken === '`' ? '# escape=`\n' : '';
  const cmd = expandInstruction(first(body, prefix), env, escapeToken ? { escapeToken } : {});
  expect(cmd.kind).toBe(kind);
  return cmd as Extract<Command, { kind: K }>;
}

const env = { APP: '/srv/app', USERNAME: 'node', MODE: '0755', PORTS: '80 443/udp', STAGE: 'build', X: 'ex' };

describe('expandInstruction', () => {
  it('expands ENV and LABEL keys and values, removing quotes', () => {
    expect(expanded('ENV DIR="$APP/data" K=v\\ w\n', 'env', env).env.map((kv) => [kv.key, kv.value])).toEqual([['DIR', '/srv/app/data'], ['K', 'v w']]);
    expect(expanded('ENV LEGACY "quoted $USERNAME"\n', 'env', env).env[0]!.value).toBe('quoted node');
    expect(expanded('LABEL "owner"="${USERNAME}"\n', 'label', env).labels[0]).toMatchObject({ key: 'owner', value: 'node' });
  });

  it('expands WORKDIR, USER, VOLUME, STOPSIGNAL', () => {
    expect(expanded('WORKDIR $APP\n', 'workdir', env).path).toBe('/srv/app');
    expect(expanded('USER ${USERNAME}:${USERNAME}\n', 'user', env).user).toBe('node:node');
    expect(expanded('VOLUME ["$APP/data"]\n', 'volume', env).volumes).toEqual(['/srv/app/data']);
    expect(expanded('STOPSIGNAL ${SIG:-SIGTERM}\n', 'stopsignal', env).signal).toBe('SIGTERM');
  });

  it('expands and splits EXPOSE', () => {
    expect(expanded('EXPOSE $PORTS 8080\n', 'expose', env).ports).toEqual(['80', '443/udp', '8080']);
  });

  it('expands COPY/ADD paths and flags', () => {
    const copy = expanded('COPY --from=$STAGE --chown=$USERNAME --chmod=$MODE --exclude=$X* ["$APP/a", "${APP}/b c", "$APP/"]\n', 'copy', env);
    expect(copy).toMatchObject({
      from: '$STAGE', chown: 'node', chmod: '0755', excludePatterns: ['ex*'],
      sourcePaths: ['/srv/app/a', '/srv/app/b c'], destPath: '/srv/app/',
    });
    expect(expanded('ADD --checksum=${SUM:-sha256:1} $APP/x /\n', 'add', env)).toMatchObject({ checksum: 'sha256:1', sourcePaths: ['/srv/app/x'] });
  });

  it('expands unquoted heredoc sources keeping quotes, leaves quoted ones alone', () => {
    const copy = expanded('COPY <<A <<\'B\' /d/\necho "$USERNAME" \'$X\'\nA\nkeep $X\nB\n', 'copy', env);
    expect(copy.sourceContents.map((c) => c.data)).toEqual(['echo "node" \'ex\'\n', 'keep $X\n']);
  });

  it('leaves RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK/MAINTAINER/ONBUILD literal', () => {
    expect(expanded('RUN echo $APP\n', 'run', env).cmdLine).toEqual(['echo $APP']);
    expect(expanded('CMD ["$APP"]\n', 'cmd', env).cmdLine).toEqual(['$APP']);
    expect(expanded('ENTRYPOINT $APP/run\n', 'entrypoint', env).cmdLine).toEqual(['$APP/run']);
    expect(expanded('SHELL ["$APP"]\n', 'shell', env).shell).toEqual(['$APP']);
    expect(expanded('HEALTHCHECK CMD $APP/check\n', 'healthcheck', env).health.test).toEqual(['CMD-SHELL', '$APP/check']);
    expect(expanded('MAINTAINER $USERNAME\n', 'maintainer', env).maintainer).toBe('$USERNAME');
    expect(expanded('ONBUILD RUN echo $APP\n', 'onbuild', env).expression).toBe('RUN echo $APP');
  });

  it('expands RUN --mount values except from=', () => {
    expect(expanded('RUN --mount=type=cache,target=$APP/.cache make\n', 'run', env).mounts).toEqual(['type=cache,target=/srv/app/.cache']);
    expect(expanded('RUN --mount=from=$STAGE,target=$APP x\n', 'run', env).mounts).toEqual(['from=$STAGE,target=/srv/app']);
  });

  it('honours the backtick escape token', () => {
    expect(expanded('ENV A=`$APP B=$APP\n', 'env', env, '`').env.map((kv) => kv.value)).toEqual(['$APP', '/srv/app']);
  });

  it('does not modify the parsed instruction', () => {
    const cmd = first('WORKDIR $APP\n');
    expandInstruction(cmd, env);
    expect(cmd.kind === 'workdir' && cmd.path).toBe('$APP');
  });

  it('reports expansion errors on the instruction line', () => {
    const cmd = first('\n\nENV A=${MISSING:?required}\n');
    try {
      expandInstruction(cmd, env);
      throw new Error('expected failure');
    } catch (err) {
      expect(err).toBeInstanceOf(DockerfileParseError);
      expect((err as DockerfileParseError).startLine).toBe(4);
      expect((err as DockerfileParseError).reason).toBe('failed to process "${MISSING:?required}": MISSING: required');
    }
  });
});

describe('ARG resolution', () => {
  const parsed = parseStages(parse('ARG A=1 B\nARG C=${A}-x\nFROM img:$C\nARG A\nARG B\nARG D=$A-d\nARG E\n').children);
  const stage = parsed.stages[0]!;
  const args = stage.commands.filter((c) => c.kind === 'arg');

  it('resolves global ARGs with build-args winning', () => {
    const meta = resolveMetaArgs(parsed.metaArgs, { B: 'bee' });
    expect(meta.args.map((a) => [a.key, a.value])).toEqual([['A', '1'], ['B', 'bee'], ['C', '1-x']]);
    expect(expandStage(stage, meta.env).baseName).toBe('img:1-x');
    expect(resolveMetaArgs(parsed.metaArgs, { A: '9' }).env.get('C')).toBe('9-x');
  });

  it('lets stage ARGs inherit globals, expand defaults, take build-args', () => {
    const meta = resolveMetaArgs(parsed.metaArgs, {});
    const envNow = new Map<string, string>();
    const resolved = args.flatMap((cmd) => {
      const r = resolveArgs(cmd, { metaArgs: meta.args, env: envNow, buildArgs: { E: 'e!' } });
      for (const a of r) if (a.value !== undefined) envNow.set(a.key, a.value);
      return r;
    });
    expect(resolved.map((a) => [a.key, a.value])).toEqual([['A', '1'], ['B', undefined], ['D', '1-d'], ['E', 'e!']]);
  });

  it('does not evaluate a default when a build-arg is given', () => {
    const cmd = first('ARG X=${NOPE:?boom}\n');
    if (cmd.kind !== 'arg') throw new Error('not an ARG');
    expect(resolveArgs(cmd, { env: {}, buildArgs: { X: 'given' } })[0]!.value).toBe('given');
    expect(() => resolveArgs(cmd, { env: {} })).toThrow('NOPE: boom');
  });

  it('refuses a FROM that expands to nothing', () => {
    const s = parseStages(parse('ARG IMG\nFROM $IMG\n').children).stages[0]!;
    expect(() => expandStage(s, {})).toThrow('base name ($IMG) should not be blank');
  });
});

describe('normalizeWorkdir', () => {
  it('joins relative paths and cleans', () => {
    expect(normalizeWorkdir('/', 'app')).toBe('/app');
    expect(normalizeWorkdir('/test1', 'test2')).toBe('/test1/test2');
    expect(normalizeWorkdir('/test1/test2', '..')).toBe('/test1');
    expect(normalizeWorkdir('/x', '/abs/./y/')).toBe('/abs/y');
  });
});
