export { ShellLex, ShellLexError, envFrom, isGoSpace, shellPatternToRegExp } from './lex.ts';
export type { EnvGetter, EnvSource, LexOptions, ProcessWordResult } from './lex.ts';
export { goQuote, goQuoteRune, goQuoteList, goList } from './goquote.ts';
