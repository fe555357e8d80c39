/** The package's generated and hand-kept facts stay in step with their sources. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../src/version';
import { descriptorSource } from './descriptor-source';

test('the protobuf descriptor is generated from the vendored onnx.proto (regenerate with `pnpm --filter @tapegrad/onnx generate`)', () => {
  const { path, text } = descriptorSource(join(__dirname, '..'));
  expect(readFileSync(path, 'utf8')).toBe(text);
});

test('producer_version is the package version', () => {
  expect(VERSION).toBe(JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version);
});
