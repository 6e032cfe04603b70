/** BuildKit's AST dump: `(keyword ["--flag"] "arg" …)`, one line per instruction. */
import { goQuote, goQuoteList } from '../shell/goquote.ts';
import type { Node } from './node.ts';
import { goTrimSpace } from './text.ts';

export function dumpNode(node: Node): string {
  let s = node.keyword.toLowerCase();
  if (node.flags.length > 0) s += ' ' + goQuoteList(node.flags);
  if (node.child) s += ' (' + dumpNode(node.child) + ')';
  for (const arg of node.args) s += ' ' + goQuote(arg);
  return goTrimSpace(s);
}

/** The whole file, as BuildKit's `result` files hold it (without their final newline). */
export function dump(children: readonly Node[]): string {
  return goTrimSpace(children.map((c) => '(' + dumpNode(c) + ')\n').join(''));
}
