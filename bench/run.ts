/**
 * Every side-by-side benchmark in turn (`npm run bench`), or the ones named:
 *
 *   node bench/run.ts [startup unpack docker-build rss load registry registry-docker build df api-service container providers]
 *
 * Each prints its own figures, peers and ratios; see docs/performance.md for what they measure.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ALL = ['startup', 'unpack', 'docker-build', 'rss', 'load', 'registry', 'registry-docker', 'df'];
const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
let failed = 0;
for (const name of names.length > 0 ? names : ALL) {
  console.log(`\n=== bench/${name}.ts`);
  const r = spawnSync(process.execPath, [join(import.meta.dirname, `${name}.ts`)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
