import type { Heredoc } from './heredoc.ts';

/**
 * One Dockerfile instruction as parsed, before any typing or expansion: BuildKit's parser.Node
 * flattened (its `Next` chain becomes `args`, ONBUILD's nested node becomes `child`).
 */
export interface Node {
  /** The keyword as written (`RUN`, `run`, `FOO` for an unknown one). */
  keyword: string;
  /** Builder flags before the arguments, verbatim with their dashes: `--from=build`. */
  flags: string[];
  /**
   * The arguments as the per-instruction line parser produced them. ENV/LABEL come as
   * `key, value, separator` triples (separator `=` or `""` for the legacy `KEY value` form).
   */
  args: string[];
  /** ONBUILD's trigger instruction. */
  child?: Node;
  /** True when the arguments were written as a JSON array (exec form). */
  json: boolean;
  heredocs: Heredoc[];
  /** The logical line (continuations joined) the node was parsed from. */
  original: string;
  /** 1-based first and last physical line, heredoc bodies included. */
  startLine: number;
  endLine: number;
  /** Comment lines directly above the instruction, without `#`. */
  prevComment: string[];
}

export interface ParseWarning {
  short: string;
  detail: string;
  url: string;
  line: number;
}

/** BuildKit's nodeArgs: the flat argument list, ONBUILD's trigger keyword first. */
export function nodeArgs(node: Node): string[] {
  if (node.child) return [node.child.keyword, ...nodeArgs(node.child)];
  return node.args;
}
