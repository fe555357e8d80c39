/**
 * `pnpm run docs` builds the API reference with no warnings: every export of the packages' entry points has a
 * TSDoc comment (typedoc.config.mjs sets validation.notDocumented and treatWarningsAsErrors). TypeDoc is an ES module,
 * so it runs in a child process; `--emit none` validates without writing docs/api.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { repoRoot } from './markdown';

test('TypeDoc documents every export without a warning', () => {
  const typedoc = join(repoRoot, 'node_modules', 'typedoc', 'bin', 'typedoc');
  const run = spawnSync(process.execPath, [typedoc, '--emit', 'none'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  const output = stripVTControlCharacters(`${run.stdout}${run.stderr}`);
  const warnings = output.split('\n').filter((l) => /\[(warning|error)\]/.test(l));
  if (run.status !== 0 || warnings.length > 0) {
    throw new Error(`typedoc exited with ${run.status}:\n${warnings.slice(0, 60).join('\n') || output}`);
  }
});
