import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformanceDir, conformanceMissing } from '../../../test/paths.ts';
import type { DiskUsageReport, HistoryEntry } from '../engine/api.ts';
import { summarize } from '../engine/usage/disk-usage.ts';
import { ambiguousHint, formatDiskUsage, formatHistory, formatImagesCommand, type TreeImage } from './image-format.ts';

/**
 * docker/cli's golden files, reproduced from the same mock inputs as docker/cli's tests
 * (cli/command/image/list_test.go, history_test.go, cli/command/formatter/disk_usage_test.go).
 */
const golden = (name: string): string => readFileSync(join(conformanceDir, 'docker-cli-golden', name), 'utf8');
/** Without the golden files, the tests comparing with them are skipped with this reason. */
const noData = conformanceMissing('docker-cli-golden');
const NOW = Date.parse('2026-01-01T00:00:00Z');
const nowSeconds = Math.floor(NOW / 1000);

function entry(e: Partial<HistoryEntry>): HistoryEntry {
  return { id: '', created: 0, createdBy: '', size: 0, comment: '', tags: [], emptyLayer: false, ...e };
}

function image(id: string, repoTags: string[], repoDigests: string[]): TreeImage {
  return { id, repoTags, repoDigests, parentId: '', created: 0, size: 0, sharedSize: 0, labels: {}, containers: 0 };
}

// TestImagesFilterDangling's items
const DANGLING_ITEMS = [
  image('sha256:87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7', ['myimage:latest'], ['myimage@sha256:abc123']),
  image('sha256:0263829989b6fd954f72baaf2fc64bc2e2f01d692d4de72986ea808f6e99813f', [], []),
  image('sha256:a3a5e715f0cc574a73c3f9bebb6bc24f32ffd5b67b387244c2c909da779a1478', [], ['image@sha256:a3a5e715f0cc574a73c3f9bebb6bc24f32ffd5b67b387244c2c909da779a1478']),
];

// docker 29 prints the tree view by default; Strata shows it with --tree.
const TREE = { tree: true, now: NOW };

describe('docker/cli golden output: image list', () => {
  it('list-command-success.simple', ({ skip }) => {
    if (noData) skip(noData);
    expect(formatImagesCommand([], TREE)).toBe(golden('list-command-success.simple.golden'));
  });
  it('list-command-success.format (config format "raw")', ({ skip }) => {
    if (noData) skip(noData);
    expect(formatImagesCommand([], { ...TREE, format: 'raw' })).toBe(golden('list-command-success.format.golden'));
  });
  it('list-command-success.quiet-format (-q, config format "table")', ({ skip }) => {
    if (noData) skip(noData);
    expect(formatImagesCommand([], { ...TREE, quiet: true, format: 'table' })).toBe(golden('list-command-success.quiet-format.golden'));
  });
  it('list-command-success.match-name', ({ skip }) => {
    if (noData) skip(noData);
    expect(formatImagesCommand([], { ...TREE, filters: { reference: ['image'] } })).toBe(golden('list-command-success.match-name.golden'));
  });
  it('list-command-success.filters', ({ skip }) => {
    if (noData) skip(noData);
    expect(formatImagesCommand([], { ...TREE, filters: { name: ['value'] } })).toBe(golden('list-command-success.filters.golden'));
  });
  it('list-command-ambiguous', ({ skip }) => {
    if (noData) skip(noData);
    expect(ambiguousHint('ls', 'docker')).toBe(golden('list-command-ambiguous.golden'));
  });
  it('list-command-filter-dangling.dangling-true', ({ skip }) => {
    if (noData) skip(noData);
    const out = formatImagesCommand([DANGLING_ITEMS[1]!, DANGLING_ITEMS[2]!], { ...TREE, filters: { dangling: ['true'] } });
    expect(out).toBe(golden('list-command-filter-dangling.dangling-true.golden'));
  });
  it('list-command-filter-dangling.dangling-false', ({ skip }) => {
    if (noData) skip(noData);
    const out = formatImagesCommand(DANGLING_ITEMS, { ...TREE, filters: { dangling: ['false'] } });
    expect(out).toBe(golden('list-command-filter-dangling.dangling-false.golden'));
  });
  it('list-command-filter-dangling.no-dangling-filter', ({ skip }) => {
    if (noData) skip(noData);
    expect(formatImagesCommand(DANGLING_ITEMS, TREE)).toBe(golden('list-command-filter-dangling.no-dangling-filter.golden'));
  });
  it('list-command-filter-dangling.all-flag', ({ skip }) => {
    if (noData) skip(noData);
    expect(formatImagesCommand(DANGLING_ITEMS, { ...TREE, all: true })).toBe(golden('list-command-filter-dangling.all-flag.golden'));
  });
});

describe('docker/cli golden output: history', () => {
  it('history-command-success.simple', ({ skip }) => {
    if (noData) skip(noData);
    const out = formatHistory([entry({ id: '1234567890123456789', created: nowSeconds, comment: 'none' })], { now: NOW });
    expect(out).toBe(golden('history-command-success.simple.golden'));
  });
  it('history-command-success.quiet (the fake client echoes the image name as ID)', ({ skip }) => {
    if (noData) skip(noData);
    expect(formatHistory([entry({ id: 'image:tag' })], { quiet: true, now: NOW })).toBe(golden('history-command-success.quiet.golden'));
  });
  it('history-command-success.non-human', ({ skip }) => {
    if (noData) skip(noData);
    const out = formatHistory([entry({ id: 'abcdef', created: Date.UTC(2017, 0, 1, 12, 0, 3) / 1000, createdBy: 'rose', comment: 'new history item!' })], { human: false, now: NOW });
    expect(out).toBe(golden('history-command-success.non-human.golden'));
  });
  it('history-command-success.quiet-no-trunc', ({ skip }) => {
    if (noData) skip(noData);
    const out = formatHistory([entry({ id: '1234567890123456789', created: nowSeconds })], { quiet: true, noTrunc: true, now: NOW });
    expect(out).toBe(golden('history-command-success.quiet-no-trunc.golden'));
  });
  it('history-command-success.platform', ({ skip }) => {
    if (noData) skip(noData);
    const out = formatHistory([entry({ id: '1234567890123456789', created: nowSeconds })], { now: NOW });
    expect(out).toBe(golden('history-command-success.platform.golden'));
  });
});

describe('docker/cli golden output: system df', () => {
  const empty = (): DiskUsageReport => {
    const du = { layersSize: 0, images: [], containers: [], buildCache: [] };
    return { ...du, summary: summarize(du) };
  };
  it('disk-usage-context-write-custom', ({ skip }) => {
    if (noData) skip(noData);
    expect(formatDiskUsage(empty(), { format: 'table {{.Type}}\t{{.Active}}', now: NOW })).toBe(golden('disk-usage-context-write-custom.golden'));
  });
  it('disk-usage-raw-format', ({ skip }) => {
    if (noData) skip(noData);
    expect(formatDiskUsage(empty(), { format: 'raw', now: NOW })).toBe(golden('disk-usage-raw-format.golden'));
  });
  // The other cases of TestDiskUsageContextFormatWrite, inlined there rather than golden files.
  it('default table, verbose table, verbose raw and {{json .}}', () => {
    expect(formatDiskUsage(empty(), { now: NOW })).toBe(
      'TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\nImages          0         0         0B        0B\nContainers      0         0         0B        0B\nLocal Volumes   0         0         0B        0B\nBuild Cache     0         0         0B        0B\n',
    );
    expect(formatDiskUsage(empty(), { verbose: true, now: NOW })).toBe(
      'Images space usage:\n\nREPOSITORY   TAG       IMAGE ID   CREATED   SIZE      SHARED SIZE   UNIQUE SIZE   CONTAINERS\n\nContainers space usage:\n\nCONTAINER ID   IMAGE     COMMAND   LOCAL VOLUMES   SIZE      CREATED   STATUS    NAMES\n\nLocal Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\n\nBuild cache usage: 0B\n\nCACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n',
    );
    expect(formatDiskUsage(empty(), { verbose: true, format: 'raw', now: NOW })).toBe('');
    expect(formatDiskUsage(empty(), { verbose: true, format: '{{json .}}', now: NOW })).toBe('{"Images":[],"Containers":[],"Volumes":[],"BuildCache":[]}');
  });
  it("-v's image table: the same text as the table template docker's layout is, row by row", () => {
    const images = [
      { id: `sha256:${'a'.repeat(64)}`, repoTags: ['bench/app1:v0', 'other:latest'], created: nowSeconds - 90, size: 45_500, sharedSize: 45_000, uniqueSize: 500, containers: 2 },
      { id: `sha256:${'b'.repeat(64)}`, repoTags: [], created: nowSeconds - 86_400 * 400, size: 1_234_567_890, sharedSize: 0, uniqueSize: 1_234_567_890, containers: 0 },
      { id: `sha256:${'c'.repeat(64)}`, repoTags: ['localhost:5000/a/very/long/repository/name:with-a-long-tag-1.2.3'], created: nowSeconds, size: -1, sharedSize: -1, uniqueSize: 0, containers: -1 },
      { id: 'short', repoTags: ['Not A Reference'], created: 0, size: 999_999, sharedSize: 999_999, uniqueSize: 0, containers: 12 },
    ];
    const du = { layersSize: 0, images, containers: [], buildCache: [] };
    const report = { ...du, summary: summarize(du) };
    for (const size of ['Size', 'VirtualSize'] as const) {
      const viaTemplate = formatDiskUsage(report, {
        verbose: true,
        format: `table REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\tSHARED SIZE\tUNIQUE SIZE\tCONTAINERS\n{{range .Images}}{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.${size}}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}\n{{end}}`,
        now: NOW,
      });
      const table = formatDiskUsage(report, { verbose: true, imageSizeField: size, now: NOW });
      expect(table.slice(0, table.indexOf('\nContainers space usage'))).toBe(`Images space usage:\n\n${viaTemplate}`);
    }
  });
  it('template errors read like docker', () => {
    expect(() => formatDiskUsage(empty(), { format: '{{InvalidFunction}}', now: NOW })).toThrow('template parsing error: template: :1: function "InvalidFunction" not defined');
    expect(() => formatDiskUsage(empty(), { format: '{{nil}}', now: NOW })).toThrow('template parsing error: template: :1:2: executing "" at <nil>: nil is not a command');
  });
});
