/**
 * Every TypeScript block in README.md and docs/**\/*.md compiles against the current API and runs; a block
 * followed by a ```text output block prints exactly that. See snippets.ts for the markers.
 */
import { collectSnippets, normalizeOutput, runSnippet, typeCheck } from './snippets';

const snippets = collectSnippets();

describe('the TypeScript snippets in the docs', () => {
  test('there are snippets to check, in README.md and the guide', () => {
    expect(snippets.some((s) => s.page === 'README.md')).toBe(true);
    expect(snippets.filter((s) => s.page.startsWith('docs/')).length).toBeGreaterThan(10);
  });

  test('every snippet type-checks', () => {
    const errors = typeCheck(snippets);
    if (errors.length > 0) throw new Error(`type errors in doc snippets:\n${errors.join('\n')}`);
  });

  const runnable = snippets.filter((s) => s.run);
  test.each(runnable.map((s) => [s.where, s] as const))('%s runs', async (_where, snippet) => {
    let printed: string;
    try {
      printed = await runSnippet(snippet, require, (fn) => jest.isolateModules(fn));
    } catch (e) {
      throw new Error(`${snippet.where}: the snippet threw: ${(e as Error).stack ?? String(e)}`);
    }
    if (snippet.expectedOutput !== null) {
      expect(normalizeOutput(printed)).toBe(normalizeOutput(snippet.expectedOutput));
    }
  });
});
