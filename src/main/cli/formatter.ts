/**
 * docker/cli's formatter.Context: a `--format` string is `table …` (a header row, then rows through
 * the tabwriter), `json` (`{{json .}}` per row) or a Go template per row. Rows are plain objects whose
 * keys are the template fields (docker's method names), so `{{json .}}` prints them sorted as Go does.
 */
import { tabwrite, tabwriteTable } from './tabwriter.ts';
import { GO_MARSHALED, goMap, HEADER_FUNCTIONS, parseTemplate, TemplateError, type Template } from './template.ts';

export const TABLE_FORMAT = 'table';
export const RAW_FORMAT = 'raw';
export const JSON_FORMAT = 'json';
export const QUIET_FORMAT = '{{.ID}}';

export function isTable(format: string): boolean {
  return format.startsWith(TABLE_FORMAT);
}

/** docker's preFormat: strip `table`, expand `json`, trim, and turn `\t` / `\n` into real characters. */
export function finalFormat(format: string): string {
  let f = format;
  if (isTable(f)) f = f.slice(TABLE_FORMAT.length);
  else if (f === JSON_FORMAT) f = '{{json .}}';
  return f.replace(/^ +| +$/g, '').replaceAll('\\t', '\t').replaceAll('\\n', '\n');
}

export function compile(format: string): Template {
  try {
    return parseTemplate(finalFormat(format));
  } catch (err) {
    const msg = (err as Error).message;
    if (err instanceof TemplateError && !msg.startsWith('template parsing error')) throw new TemplateError(`template parsing error: ${msg}`);
    throw err;
  }
}

/**
 * Renders rows: each row is the template then a newline; a table gets the header (the template run
 * over the header names, functions passing their argument through) and is aligned like docker's.
 */
export function renderRows(format: string, rows: readonly object[], header: Record<string, string>): string {
  const tmpl = compile(format);
  let body = '';
  for (const row of rows) body += `${tmpl.execute(row)}\n`;
  if (!isTable(format)) return body;
  const head = `${tmpl.execute(goMap({ ...header }), HEADER_FUNCTIONS)}\n`;
  return tabwrite(head + body);
}

/** docker's layout of a table whose every column prints one field: `table {{.A}}\t{{.B}}`. */
export function columnsFormat(columns: readonly string[]): string {
  return `table ${columns.map((c) => `{{.${c}}}`).join('\t')}`;
}

/**
 * `renderRows(columnsFormat(columns), rows, header)` for a default layout: the header's and each
 * row's cells straight to the tabwriter, no template to parse and run. The template's output
 * whenever a cell is not a string or would need the joined text.
 */
export function renderColumns(columns: readonly string[], rows: readonly Record<string, unknown>[], header: Record<string, string>): string {
  const lines: unknown[][] = [columns.map((c) => header[c])];
  for (const row of rows) lines.push(columns.map((c) => row[c]));
  const cells = lines.every((l) => l.every((c) => typeof c === 'string')) ? tabwriteTable(lines as string[][]) : undefined;
  return cells ?? renderRows(columnsFormat(columns), rows, header);
}

/**
 * A formatter row: keys in Go's json.Marshal(map) order (sorted), `{{json .}}` escaped as docker's
 * contexts are. A literal written in that order is marked as it is (a listing makes one per row);
 * any other is copied in order.
 */
export function sortedKeys<T extends Record<string, unknown>>(o: T): T {
  const keys = Object.keys(o);
  let inOrder = true;
  for (let i = 1; i < keys.length && inOrder; i++) inOrder = keys[i - 1]! < keys[i]!;
  const row = inOrder ? o : (Object.fromEntries(keys.sort().map((k) => [k, o[k]])) as T);
  Object.defineProperty(row, GO_MARSHALED, { value: true, enumerable: false });
  return row;
}
