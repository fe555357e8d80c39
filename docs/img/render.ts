/**
 * Renders the docs' diagrams: `npx tsx --tsconfig tsconfig.spec.json docs/img/render.ts` from the repository
 * root writes docs/img/<name>.dot (the library's own toDot output) and docs/img/<name>.svg (laid out by
 * Graphviz compiled to WebAssembly, @hpcc-js/wasm-graphviz).
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { diagrams } from './diagrams';

interface GraphvizModule {
  Graphviz: { load(): Promise<{ dot(source: string): string }> };
}

async function main(): Promise<void> {
  // The renderer is a dependency of @tapegrad/examples (which draws graphs too), so resolve it from there.
  const fromExamples = createRequire(join(__dirname, '..', '..', 'packages', 'examples', 'package.json'));
  const entry = fromExamples.resolve('@hpcc-js/wasm-graphviz');
  const { Graphviz } = (await import(pathToFileURL(entry).href)) as GraphvizModule;
  const graphviz = await Graphviz.load();
  for (const [name, build] of Object.entries(diagrams)) {
    const dot = build();
    writeFileSync(join(__dirname, `${name}.dot`), dot);
    writeFileSync(join(__dirname, `${name}.svg`), graphviz.dot(dot));
    console.log(`docs/img/${name}.svg`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
