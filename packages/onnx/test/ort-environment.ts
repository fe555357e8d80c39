/**
 * The Jest environment of the tests that run ONNX Runtime: Node's, with the typed-array constructors of the main
 * realm. Jest gives each test file its own realm, so a Float32Array that onnxruntime-node's native binding creates
 * fails onnxruntime-common's `instanceof Float32Array` check inside the sandbox ("A float32 tensor's data must be
 * type of function Float32Array()"). Sharing the constructors makes both sides agree.
 */
import NodeEnvironment from 'jest-environment-node';

const TYPED_ARRAYS = [
  'ArrayBuffer',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

export default class OrtEnvironment extends NodeEnvironment {
  override async setup(): Promise<void> {
    await super.setup();
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name] as never;
  }
}
