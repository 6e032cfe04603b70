import { columnsFormat, renderColumns, renderRows, sortedKeys } from './formatter.ts';
import { describe, expect, it } from 'vitest';
import { goJson, goMap, HEADER_FUNCTIONS, parseTemplate } from './template.ts';

const run = (src: string, data: unknown): string => parseTemplate(src).execute(data);

describe('Go template subset', () => {
  it('fields, nested fields and Go value printing', () => {
    expect(run('{{.A}}-{{.B.C}}', { A: 'x', B: { C: 1 } })).toBe('x-1');
    expect(run('{{.L}} {{.M}}', { L: ['a', 'b'], M: { z: 1, a: 'q' } })).toBe('[a b] map[a:q z:1]');
    expect(run('{{.}}', 'dot')).toBe('dot');
  });

  it('json as docker/cli encodes it (no HTML escaping), functions and pipes', () => {
    expect(run('{{json .}}', { a: '<x>&\u2028' })).toBe('{"a":"<x>&\\u2028"}');
    expect(run('{{json .}}', sortedKeys({ a: '<x>&' }))).toBe('{"a":"\\u003cx\\u003e\\u0026"}');
    expect(run('{{.X | json}}', { X: [1] })).toBe('[1]');
    expect(run('{{join .L ", "}} {{upper .S}} {{lower "AB"}} {{truncate .S 2}}', { L: ['a', 'b'], S: 'xyz' })).toBe('a, b XYZ ab xy');
    expect(goJson(null)).toBe('null');
  });

  it('if/else/end, range and trim markers', () => {
    expect(run('{{if .A}}yes{{else}}no{{end}}', { A: '' })).toBe('no');
    expect(run('{{if .A}}yes{{else}}no{{end}}', { A: 'v' })).toBe('yes');
    expect(run('{{range .L}}[{{.}}]{{end}}', { L: [1, 2] })).toBe('[1][2]');
    expect(run('a  {{- .X -}}  b', { X: 'x' })).toBe('axb');
  });

  it('errors like text/template for unknown functions and fields; maps give <no value>', () => {
    expect(() => parseTemplate('{{nope .X}}')).toThrow('function "nope" not defined');
    expect(() => run('{{.Missing}}', { A: 1 })).toThrow("can't evaluate field Missing");
    expect(parseTemplate('{{.Missing}}|{{json .A}}').execute(goMap({ A: 'HDR' }), HEADER_FUNCTIONS)).toBe('<no value>|HDR');
  });

  it("a default layout's columns print as its template does, the template's errors included", () => {
    const header = { A: 'NAME', B: 'SIZE' };
    const rows = [
      { A: 'x', B: '1B' },
      { A: 'a longer name', B: '' },
    ];
    const odd = [...rows, { A: 'tab\there', B: 'new\nline' }, { A: '😀', B: 'x' }];
    for (const columns of [['A', 'B'], ['B']]) {
      for (const r of [rows, odd, []]) expect(renderColumns(columns, r, header)).toBe(renderRows(columnsFormat(columns), r, header));
    }
    expect(renderColumns(['A', 'B'], [], header)).toBe('NAME      SIZE\n');
    // A column the header lacks prints Go's <no value>; one a row lacks fails as the template does.
    expect(renderColumns(['A', 'C'], [], header)).toBe('NAME      <no value>\n');
    expect(() => renderColumns(['A', 'C'], rows, header)).toThrow("can't evaluate field C");
  });
});
