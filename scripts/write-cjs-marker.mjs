// Marks a package's CommonJS build as CommonJS. Every package says "type": "module", so Node would read
// dist/cjs/*.js as ES modules; a dist/cjs/package.json saying {"type":"commonjs"} scopes that folder back.
// Each package's build runs it from the package's folder, after tsc: `node ../../scripts/write-cjs-marker.mjs`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(process.cwd(), 'dist', 'cjs');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
