import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkImports, importSpecifiers } from '../scripts/check-imports.ts';
import { repoRoot } from './paths.ts';
import { tempDir } from './tmp.ts';

function tree(files: Record<string, string>): string {
  const root = tempDir('strata-imports-');
  cleanups.push(root.cleanup);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root.path, path)), { recursive: true });
    writeFileSync(join(root.path, path), text);
  }
  return root.path;
}
const cleanups: (() => void)[] = [];

describe('check-imports (run by npm run lint)', () => {
  afterAll(() => cleanups.forEach((c) => c()));

  it('reads static, re-export, side-effect and dynamic specifiers, not commented ones', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type {\n  B,\n  C,\n} from '../b.ts';",
      "export * from './c.ts';",
      "export { d } from './d.ts';",
      "import './e.css';",
      "const f = await import('./f.ts');",
      "// import { g } from './g.ts';",
      "/* import { h } from './h.ts'; */",
      "const url = 'http://x/y'; // a comment",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts', './e.css', './f.ts']);
  });

  it('finds each layer violation and each cycle, type-only imports included', () => {
    const root = tree({
      'src/shared/contract.ts': "import type { X } from '../main/engine/api.ts';\n",
      'src/main/engine/api.ts': 'export interface X { a: number }\n',
      'src/main/engine/window.ts': "import { app } from 'electron';\nimport { h } from '../host/h.ts';\n",
      'src/main/host/h.ts': 'export const h = 1;\n',
      'src/renderer/src/view.ts': "import { h } from '../../main/host/h.ts';\n",
      'src/renderer/src/view.test.ts': "import { h } from '../../main/host/h.ts';\n",
      'src/main/engine/a.ts': "import type { B } from './b.ts';\nexport interface A { b?: B }\n",
      'src/main/engine/b.ts': "import type { A } from './a.ts';\nexport interface B { a?: A }\n",
    });
    const messages = checkImports(root).map((p) => p.message).sort();
    expect(messages).toEqual([
      'import cycle: src/main/engine/a.ts → src/main/engine/b.ts → src/main/engine/a.ts',
      'src/main/engine/window.ts imports electron: the engine is plain Node, below the host and the CLI',
      'src/main/engine/window.ts imports src/main/host/h.ts: the engine is plain Node, below the host and the CLI',
      'src/renderer/src/view.ts imports src/main/host/h.ts: the renderer reaches the engine only through the contract',
      'src/shared/contract.ts imports src/main/engine/api.ts: src/shared is the bottom layer',
    ]);
  });

  it('passes on this repository', () => {
    expect(checkImports(repoRoot)).toEqual([]);
  });
});
