/**
 * Each public package's `sideEffects` field tells bundlers which of its files may not be dropped when nothing
 * is imported from them. It must tell the truth both ways: a file that does something when it is imported
 * (registers a hook, extends Jest's `expect`, starts a worker loop) is listed, so that tree-shaking keeps it; and
 * no other file is, so that tree-shaking can drop it.
 *
 * "Does something when imported" is read from the source: a top-level statement that is not a declaration
 * (an expression statement such as a call or an assignment, or a loop, `if`, block...). Top-level `const`
 * initialisers are taken as building the module's own values (the op tables, typed arrays, WeakMaps), and a
 * class's static blocks as setting up that class (the core brands its classes there, for `instanceof` across
 * copies); a call in either that changed another module's state would escape this check, so such registrations
 * are written as statements, where it sees them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const repoRoot = join(__dirname, '..');

interface Manifest {
  name: string;
  private?: boolean;
  sideEffects?: boolean | string[];
}

const publicPackages = readdirSync(join(repoRoot, 'packages'))
  .map((dir) => ({ dir: join(repoRoot, 'packages', dir), file: join(repoRoot, 'packages', dir, 'package.json') }))
  .flatMap(({ dir, file }) => {
    try {
      return [{ dir, manifest: JSON.parse(readFileSync(file, 'utf8')) as Manifest }];
    } catch {
      return [];
    }
  })
  .filter(({ manifest }) => manifest.private !== true);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const DECLARATION = new Set([
  ts.SyntaxKind.ImportDeclaration,
  ts.SyntaxKind.ImportEqualsDeclaration,
  ts.SyntaxKind.ExportDeclaration,
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.InterfaceDeclaration,
  ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.EnumDeclaration,
  ts.SyntaxKind.ModuleDeclaration,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.EmptyStatement,
]);

/** The module's top-level statements that run code when it is imported. */
function importTimeStatements(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  return source.statements
    .filter((statement) => !DECLARATION.has(statement.kind))
    .map((statement) => statement.getText(source).split('\n')[0]);
}

/** `./dist/esm/a/b.js`, `./dist/cjs/a/b.js`, `./src/a/b.ts` all name the source `src/a/b.ts`. */
function sourceOf(pattern: string): string {
  const m = /^\.\/(?:src\/(.+)\.ts|dist\/[^/]+\/(.+)\.js)$/.exec(pattern);
  if (!m) throw new Error(`sideEffects entry ${pattern} is not ./src/<path>.ts or ./dist/<build>/<path>.js`);
  return `src/${m[1] ?? m[2]}.ts`;
}

describe.each(publicPackages.map((p) => [p.manifest.name, p] as const))('%s declares its side effects truthfully', (_name, pkg) => {
  const effects = new Map(
    sourceFiles(join(pkg.dir, 'src'))
      .map((file) => [relative(pkg.dir, file), importTimeStatements(file)] as const)
      .filter(([, statements]) => statements.length > 0),
  );
  const declared = pkg.manifest.sideEffects;

  test('the field is set (false, or the list of files)', () => {
    expect(declared === false || Array.isArray(declared)).toBe(true);
  });

  test('every file that does something when imported is listed, in its source and its built form', () => {
    const list = Array.isArray(declared) ? declared : [];
    const missing = [...effects].flatMap(([file, statements]) => {
      const forms = list.filter((pattern) => sourceOf(pattern) === file);
      const ok = forms.includes(`./${file}`) && forms.some((pattern) => pattern.startsWith('./dist/'));
      return ok ? [] : [`${file} (runs: ${statements[0]})`];
    });
    expect(missing).toEqual([]);
  });

  test('no other file is listed', () => {
    const list = Array.isArray(declared) ? declared : [];
    expect(list.filter((pattern) => !effects.has(sourceOf(pattern)))).toEqual([]);
  });
});
