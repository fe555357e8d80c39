/**
 * Turns the TypeScript blocks of the docs into programs: each ```ts block is a module of its own, type-checked
 * with the workspace's test settings (so `@tapegrad/*` resolves to the packages' sources) and then run.
 *
 * Markers after the language word:
 * - ```ts no-run      type-checked but not run (long training scripts, examples that write files);
 * - ```text output    directly after a ts block (blank lines between are fine): what the block must print
 *                     with console.log, compared line by line with trailing spaces ignored.
 */
import * as ts from 'typescript';
import { join } from 'node:path';
import { format } from 'node:util';
import { type CodeBlock, codeBlocks, markdownPages, pageName, readPage, repoRoot } from './markdown';

export interface Snippet {
  /** e.g. `docs/concepts.md:42`: where the block's opening fence is. */
  readonly where: string;
  readonly page: string;
  readonly block: CodeBlock;
  readonly run: boolean;
  /** The printed output the block must produce, when a ```text output block follows it. */
  readonly expectedOutput: string | null;
  /** The virtual file the block is compiled as. */
  readonly fileName: string;
}

const TS_LANGS = new Set(['ts', 'typescript']);

export function collectSnippets(): Snippet[] {
  const out: Snippet[] = [];
  for (const path of markdownPages()) {
    const page = pageName(path);
    const text = readPage(path);
    const blocks = codeBlocks(text);
    const lines = text.split('\n');
    blocks.forEach((block, k) => {
      if (!TS_LANGS.has(block.lang)) return;
      const next = blocks[k + 1];
      const between = next ? lines.slice(block.endLine, next.line - 1) : [];
      const hasOutput =
        next !== undefined && next.lang === 'text' && next.markers.includes('output') && between.every((l) => l.trim() === '');
      out.push({
        where: `${page}:${block.line}`,
        page,
        block,
        run: !block.markers.includes('no-run'),
        expectedOutput: hasOutput ? next.code : null,
        fileName: join(repoRoot, 'docs', '__snippets__', `${page.replace(/[^\w]+/g, '_')}_L${block.line}.ts`),
      });
    });
  }
  return out;
}

function specOptions(): ts.CompilerOptions {
  const configPath = join(repoRoot, 'tsconfig.spec.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot, undefined, configPath);
  return { ...parsed.options, noEmit: true, noUnusedLocals: false };
}

/** Type errors per snippet, as `docs/page.md:LINE: message` (LINE is the line in the Markdown page). */
export function typeCheck(snippets: readonly Snippet[]): string[] {
  const options = specOptions();
  const sources = new Map(snippets.map((s) => [s.fileName, s.block.code]));
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => sources.has(f) || fileExists.call(host, f);
  host.readFile = (f) => sources.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError, create) => {
    const code = sources.get(f);
    return code !== undefined ? ts.createSourceFile(f, code, lang, true) : getSourceFile.call(host, f, lang, onError, create);
  };
  const program = ts.createProgram([...sources.keys()], options, host);
  const byFile = new Map(snippets.map((s) => [s.fileName, s]));
  const errors: string[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const s = d.file ? byFile.get(d.file.fileName) : undefined;
    if (d.file && s) {
      const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      errors.push(`${s.page}:${s.block.line + 1 + line} (block at line ${s.block.line}): TS${d.code} ${message}`);
    } else if (!d.file) {
      errors.push(`TS${d.code} ${message}`);
    }
  }
  return errors;
}

type TestFn = () => unknown;

/**
 * Runs one snippet as a CommonJS module with a fresh copy of the packages (so the tape's numbering and the
 * random generator start where a new program's would). Jest-style blocks work too: `describe` runs its body,
 * and `test`/`it` bodies run in order after the module. Returns what it printed.
 */
export async function runSnippet(snippet: Snippet, requireFn: NodeJS.Require, isolate: (fn: () => void) => void): Promise<string> {
  const js = ts.transpileModule(snippet.block.code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: snippet.fileName,
  }).outputText;
  const printed: string[] = [];
  const print = (...args: unknown[]) => void printed.push(format(...args));
  const quiet = { ...console, log: print, info: print, warn: print, error: print };
  const tests: Array<{ name: string; fn: TestFn }> = [];
  const test = (name: string, fn: TestFn) => void tests.push({ name, fn });
  const describe = (_name: string, body: () => void) => body();
  const module = { exports: {} };
  let result: unknown;
  // A fresh copy of the packages would still find the engine's process-wide state (grad mode, the tape counter, the
  // seed: packages/core/src/shared.ts), so that is dropped too, and the copy made below starts a new one.
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('tapegrad.core.1.state')];
  isolate(() => {
    // The matchers must see this copy's Scalar and Tensor classes, so they are registered again in here.
    requireFn('@tapegrad/gradcheck/jest');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the snippet, compiled above, runs as a CommonJS module body
    const body = new Function('require', 'module', 'exports', 'console', 'test', 'it', 'describe', js);
    result = body(requireFn, module, module.exports, quiet, test, test, describe);
  });
  await result;
  for (const t of tests) {
    try {
      await t.fn();
    } catch (e) {
      throw new Error(`${snippet.where}: test '${t.name}' failed: ${(e as Error).message}`);
    }
  }
  return printed.join('\n');
}

/** Lines compared with trailing whitespace dropped, and leading/trailing blank lines ignored. */
export function normalizeOutput(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
}
