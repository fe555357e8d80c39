/**
 * Regenerates src/proto/onnx-descriptor.generated.ts from the vendored proto/onnx.proto: protobufjs parses the
 * schema and its JSON descriptor is written as a TypeScript constant, which protobufjs/light turns back into
 * message types at run time (no .proto parser, no file access, so the package stays browser-safe).
 * Run with `npx -y pnpm@10.34.9 --filter @tapegrad/onnx generate`; a test fails when the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { descriptorSource } from '../test/descriptor-source.js';

const { path, text } = descriptorSource(fileURLToPath(new URL('..', import.meta.url)));
writeFileSync(path, text);
console.log(`wrote ${path}`);
