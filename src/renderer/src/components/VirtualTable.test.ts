// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import VirtualTable from './VirtualTable.vue';

const columns = [
  { key: 'name', label: 'Name', width: '1fr', sortable: true },
  { key: 'size', label: 'Size', width: '80px', align: 'right' as const },
];

function rows(n: number) {
  return Array.from({ length: n }, (_, i) => ({ key: `k${i}`, name: `image-${i}`, size: i }));
}

describe('VirtualTable', () => {
  it('renders only the rows in view for 10,000 rows, with the full scroll height', () => {
    const w = mount(VirtualTable, { props: { rows: rows(10_000), columns, label: 'Images', rowHeight: 30 } });
    const rendered = w.findAll('[data-testid="table-row"]');
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(60);
    const spacer = w.find('.vtable-body > div');
    expect(spacer.attributes('style')).toContain('height: 300000px');
  });

  it('moves the selection with the keyboard and opens with Enter', async () => {
    const w = mount(VirtualTable, { props: { rows: rows(100), columns, label: 'Images', selected: 'k5' } });
    const body = w.find('.vtable-body');
    await body.trigger('keydown', { key: 'ArrowDown' });
    await body.trigger('keydown', { key: 'End' });
    await body.trigger('keydown', { key: 'Enter' });
    expect(w.emitted('select')?.map((e) => e[0])).toEqual(['k6', 'k99']);
    expect((w.emitted('open')?.[0]?.[0] as { key: string }).key).toBe('k5');
  });

  it('asks for a sort when a sortable header is clicked and marks the sorted column', async () => {
    const w = mount(VirtualTable, { props: { rows: rows(3), columns, label: 'Images', sortKey: 'name', sortDesc: true } });
    await w.find('[data-testid="col-name"] button').trigger('click');
    expect(w.emitted('sort')?.[0]).toEqual(['name']);
    expect(w.find('[data-testid="col-name"]').attributes('aria-sort')).toBe('descending');
  });
});
