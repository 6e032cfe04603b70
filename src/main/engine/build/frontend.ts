/**
 * The Dockerfile front end of the builder, in BuildKit's three stages:
 *   parser/        text → generic AST (directives, continuations, heredocs, exec form)
 *   instructions/  AST → typed instructions split into stages, flags validated
 *   shell/         the variable expander used by instructions/ and by RUN history
 * plus dockerignore/ for the build context. parseDockerfile() runs the first two; the builder
 * then walks a stage calling resolveArgs / expandInstruction / createdBy per instruction.
 */
import { parse } from './parser/parser.ts';
import type { Directive } from './parser/directives.ts';
import type { Node, ParseWarning } from './parser/node.ts';
import { parseStages } from './instructions/parse.ts';
import type { ArgInstruction, Stage } from './instructions/types.ts';

export interface ParseDockerfileOptions {
  /** Add BuildKit's lint warnings (legacy `ENV key value`, MAINTAINER); default true. */
  lint?: boolean;
}

export interface ParsedDockerfile {
  stages: Stage[];
  /** ARG instructions before the first FROM. */
  globalArgs: ArgInstruction[];
  directives: Directive[];
  /** `\` or `` ` ``; pass it to expandInstruction. */
  escapeToken: string;
  warnings: ParseWarning[];
  /** The untyped AST, for tools that want the raw nodes. */
  ast: Node[];
}

/** Parses and types a Dockerfile. Throws DockerfileParseError (with line numbers) on bad input. */
export function parseDockerfile(text: string, opts: ParseDockerfileOptions = {}): ParsedDockerfile {
  const result = parse(text);
  const { stages, metaArgs } = parseStages(result.children);
  const warnings = [...result.warnings];
  if (opts.lint ?? true) warnings.push(...lintWarnings(stages));
  return {
    stages,
    globalArgs: metaArgs,
    directives: result.directives,
    escapeToken: result.escapeToken,
    warnings,
    ast: result.children,
  };
}

function lintWarnings(stages: readonly Stage[]): ParseWarning[] {
  const out: ParseWarning[] = [];
  for (const stage of stages) {
    for (const cmd of stage.commands) {
      const line = cmd.location.startLine;
      if ((cmd.kind === 'env' && cmd.env.some((kv) => kv.noDelim)) || (cmd.kind === 'label' && cmd.labels.some((kv) => kv.noDelim))) {
        const name = cmd.kind.toUpperCase();
        out.push({
          short: `LegacyKeyValueFormat: "${name} key=value" should be used instead of legacy "${name} key value" format`,
          detail: 'Legacy key/value format with whitespace separator should not be used',
          url: 'https://docs.docker.com/go/dockerfile/rule/legacy-key-value-format/',
          line,
        });
      }
      if (cmd.kind === 'maintainer') {
        out.push({
          short: 'MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label',
          detail: 'The MAINTAINER instruction is deprecated, use a label instead to define an image author',
          url: 'https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/',
          line,
        });
      }
    }
  }
  return out;
}

export * from './parser/index.ts';
export * from './instructions/index.ts';
export * from './shell/index.ts';
export * from './dockerignore/index.ts';
