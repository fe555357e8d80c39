// `tapegrad predict --model FILE` on a few hundred hostile files (fast-check): a valid model is read and predicts;
// everything else is a one-line UsageError (which the CLI prints with exit status 2). Nothing else may escape: no
// stack trace, no untyped error, no network built from sizes the file did not pay for.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Generator } from '@tapegrad/core';
import { encodeSafetensors } from '@tapegrad/nn';
import { UsageError } from '../src/args';
import { run } from '../src/commands/predict';
import { buildModel } from '../src/mnist/model';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tapegrad-fuzz-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real (tiny) model file: 784-4-10. */
const valid = encodeSafetensors(buildModel([4], { dropout: 0, init: new Generator(3), noise: new Generator(3) }).stateDict());
const headerEnd = 8 + Number(new DataView(valid.buffer).getBigUint64(0, true));

/** A safetensors file written by hand, so any name, dtype and shape can be asked for (the bytes always fit). */
function fileOf(entries: Array<{ name: string; dtype: string; shape: number[] }>): Uint8Array {
  const size: Record<string, number> = { F32: 4, F64: 8, I32: 4, I64: 8, BF16: 2, U8: 1 };
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const e of entries) {
    const bytes = e.shape.reduce((a, b) => a * b, 1) * size[e.dtype];
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

/** Dimensions that are small, zero, or large (only with a zero beside them, so the file stays small). */
const dim = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom(784, 10, 4, 100_001, 500_000_000, 2 ** 31, 2 ** 53 - 1));
const shape = fc.array(dim, { maxLength: 3 }).filter((s) => s.reduce((a, b) => a * b, 1) <= 4096);

const hostileModel = fc.array(
  fc.record({
    name: fc.oneof(
      fc.constantFrom('0.weight', '0.bias', '3.weight', '3.bias', '6.weight', '6.bias', '99999999999.weight', '__proto__'),
      fc.string(),
    ),
    dtype: fc.constantFrom('F32', 'F32', 'F64', 'I32', 'I64', 'BF16', 'U8'),
    shape,
  }),
  { maxLength: 6 },
);

const file: fc.Arbitrary<Uint8Array> = fc.oneof(
  // The valid model with 1-3 bytes changed, mostly in its header.
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 3 }).map((flips) => {
    const out = valid.slice();
    for (const [at, mask, inHeader] of flips) out[inHeader ? at % headerEnd : at % out.length] ^= mask;
    return out;
  }),
  // The valid model cut short.
  fc.nat().map((n) => valid.subarray(0, n % valid.length)),
  // Valid safetensors describing hostile models.
  hostileModel.map(fileOf),
  // Anything at all.
  fc.uint8Array({ maxLength: 200 }),
);

it('predict answers a few hundred hostile model files with a prediction or a one-line UsageError, nothing else', async () => {
  const outcomes = { predicted: 0, refused: 0 };
  let n = 0;
  await fc.assert(
    fc.asyncProperty(file, async (bytes) => {
      const path = join(dir, `model-${n++}.safetensors`);
      writeFileSync(path, bytes);
      try {
        await run(['--model', path, '--show', '0'], () => undefined);
        outcomes.predicted++;
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        expect(error.message).toMatch(/^predict: /);
        expect(error.message).not.toContain('\n');
        outcomes.refused++;
      } finally {
        rmSync(path);
      }
    }),
    { numRuns: 300 },
  );
  // Both outcomes occur: byte flips in the weights leave a valid model.
  expect(outcomes.refused).toBeGreaterThan(200);
  expect(outcomes.predicted).toBeGreaterThan(0);
});

it('predict refuses a directory, an empty file and a missing file in one line', async () => {
  writeFileSync(join(dir, 'empty.safetensors'), '');
  await expect(run(['--model', dir])).rejects.toThrow(/^predict: cannot read '.*': EISDIR/);
  await expect(run(['--model', join(dir, 'empty.safetensors')])).rejects.toThrow(
    /^predict: '.*empty.safetensors' is not a valid safetensors file: .*truncated file: 0 bytes/,
  );
  await expect(run(['--model', join(dir, 'none.safetensors')])).rejects.toThrow(/^predict: no model at/);
});
