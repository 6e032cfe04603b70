import type { Command } from '../command.ts';
import { flagString, flagStrings } from '../command.ts';
import { UsageError } from '../args.ts';
import { compile, renderRows, sortedKeys } from '../formatter.ts';
import { goEscape } from '../template.ts';
import { defaultSocketPath } from '../../api-server/socket-path.ts';
import { createContext, currentContext, DEFAULT_CONTEXT, getContext, listContexts, useContext } from '../../providers/contexts.ts';

/**
 * `strata context ls|use|inspect|create` over docker's context store (providers/contexts.ts): the
 * contexts `docker context create` made are Strata's too, and the other way round. The "default"
 * context is Strata's own store.
 */

const CONTEXT_HEADER = { Name: 'NAME', Description: 'DESCRIPTION', DockerEndpoint: 'DOCKER ENDPOINT', Current: 'CURRENT', Error: 'ERROR' };

export const contextLsCommand: Command = {
  path: ['context', 'ls'],
  aliases: [['context', 'list']],
  usage: 'strata context ls [OPTIONS]',
  description: 'List contexts (docker\'s, plus "default": the Strata store)',
  flags: [
    { name: 'format', type: 'string', description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'" },
    { name: 'quiet', short: 'q', type: 'bool', description: 'Only show context names' },
  ],
  maxArgs: 0,
  async run(ctx) {
    const current = currentContext();
    const rows = [
      { name: DEFAULT_CONTEXT, description: 'Strata\'s own store', host: `strata://${ctx.root}` },
      ...listContexts().map((c) => ({ name: c.name, description: c.description, host: c.host })),
    ].map((c) => sortedKeys({
      Current: c.name === current,
      Description: c.description,
      DockerEndpoint: c.host,
      Error: '',
      Name: c.name === current && ctx.flags.format === undefined ? `${c.name} *` : c.name,
    }));
    const format = ctx.flags.quiet ? '{{.Name}}' : (flagString(ctx, 'format') ?? 'table {{.Name}}\t{{.Description}}\t{{.DockerEndpoint}}');
    ctx.stdout.write(renderRows(format, ctx.flags.quiet ? rows.map((r) => ({ ...r, Name: r.Name.replace(/ \*$/, '') })) : rows, CONTEXT_HEADER));
  },
};

export const contextUseCommand: Command = {
  path: ['context', 'use'],
  usage: 'strata context use CONTEXT',
  description: 'Set the current context (Strata\'s choice only: the docker CLI keeps its own)',
  flags: [],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const name = ctx.args[0]!;
    useContext(name);
    ctx.stdout.write(`${name}\n`);
    ctx.stderr.write(`Current context is now "${name}"\n`);
  },
};

export const contextInspectCommand: Command = {
  path: ['context', 'inspect'],
  usage: 'strata context inspect [OPTIONS] [CONTEXT] [CONTEXT...]',
  description: 'Display detailed information on one or more contexts',
  flags: [{ name: 'format', short: 'f', type: 'string', description: "Format output using a custom template: 'json', 'TEMPLATE'" }],
  async run(ctx) {
    const names = ctx.args.length ? ctx.args : [currentContext()];
    const found = names.map((name) => {
      if (name === DEFAULT_CONTEXT) {
        return { Name: DEFAULT_CONTEXT, Metadata: { Description: 'Strata\'s own store' }, Endpoints: { strata: { Root: ctx.root } } };
      }
      const c = getContext(name);
      return { Name: c.name, Metadata: { Description: c.description }, Endpoints: { docker: { Host: c.host, SkipTLSVerify: c.skipTlsVerify } } };
    });
    const format = flagString(ctx, 'format');
    if (format === undefined || format === '' || format === 'json') ctx.stdout.write(`${goEscape(JSON.stringify(found, null, 4))}\n`);
    else for (const obj of found) ctx.stdout.write(`${compile(format).execute(obj)}\n`);
  },
};

/** `host=URL,skip-tls-verify=true` (docker's --docker value). */
function parseDockerEndpoint(spec: string): { host: string; skipTlsVerify: boolean } {
  let host = '';
  let skipTlsVerify = false;
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (key === 'host') host = value;
    else if (key === 'skip-tls-verify') skipTlsVerify = value === 'true';
    else throw new UsageError(`unrecognized config key: ${key}`);
  }
  if (!host) throw new UsageError('--docker needs host=URL (unix://, tcp:// or ssh://)');
  return { host, skipTlsVerify };
}

export const contextCreateCommand: Command = {
  path: ['context', 'create'],
  usage: 'strata context create [OPTIONS] CONTEXT',
  description: 'Create a context (in docker\'s context store); without --docker, one at the socket of strata system service',
  flags: [
    { name: 'description', type: 'string', description: 'Description of the context' },
    { name: 'docker', type: 'strings', value: 'stringToString', description: 'set the docker endpoint (host=unix:///…|tcp://…|ssh://user@host, skip-tls-verify=true)' },
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(ctx) {
    const specs = flagStrings(ctx, 'docker');
    // Without an endpoint: the context docker uses to reach Strata (`docker context use strata`).
    const endpoint = specs.length > 0 ? parseDockerEndpoint(specs.join(',')) : { host: `unix://${defaultSocketPath()}`, skipTlsVerify: false };
    const description = flagString(ctx, 'description') ?? (specs.length > 0 ? '' : 'Strata (strata system service)');
    createContext({ name: ctx.args[0]!, description, ...endpoint });
    ctx.stdout.write(`${ctx.args[0]}\n`);
    ctx.stderr.write(`Successfully created context "${ctx.args[0]}"\n`);
  },
};

export const CONTEXT_COMMANDS: Command[] = [contextLsCommand, contextUseCommand, contextInspectCommand, contextCreateCommand];
