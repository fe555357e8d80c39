import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from 'jest';
import { WASM_RELAXED_GEMM_HEX } from './packages/core/src/ndarray/kernels/backend/wasm-kernels.generated';

// Tests run from TypeScript sources: `@tapegrad/*` resolves to each package's `src`, so no build is needed,
// and the `.js` extensions that ESM sources use on relative imports are stripped for Jest's resolver.
// ts-jest transpiles each file on its own (fast) because tsconfig.spec.json sets `isolatedModules: true`
// (ts-jest 29.4 reads it from there); `pnpm typecheck` is the type check.
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/e2e/'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  moduleNameMapper: {
    '^@tapegrad/([^/]+)$': '<rootDir>/packages/$1/src/index.ts',
    // A subpath is a module (`@tapegrad/nn/node`: src/node.ts) or a folder's index (`@tapegrad/examples/mnist`).
    '^@tapegrad/([^/]+)/(.+)$': ['<rootDir>/packages/$1/src/$2.ts', '<rootDir>/packages/$1/src/$2/index.ts'],
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  setupFilesAfterEnv: ['<rootDir>/jest.setup.ts'],
} satisfies Config;

// Every op test also runs once per kernel backend, forced: 'js' (the TypeScript reference kernels) and 'wasm'
// (WebAssembly SIMD for every product, however small). The main project runs them on the default, 'auto'.
const perBackend = (backend: 'js' | 'wasm' | 'wasm-relaxed') => ({
  ...base,
  displayName: `ops on the ${backend} backend`,
  testMatch: [
    '<rootDir>/packages/core/src/ops/**/*.test.ts',
    '<rootDir>/packages/core/test/tfjs-crosscheck.test.ts',
    // fused programs: WebAssembly's blocks where it is chosen, generated JavaScript where not; the eager bits on each.
    '<rootDir>/packages/core/test/fuse-backends.test.ts',
  ],
  setupFilesAfterEnv: [...base.setupFilesAfterEnv, '<rootDir>/packages/core/test/kernel-backend.setup.ts'],
  globals: { KERNEL_BACKEND: backend },
});

// And on 'wasm-relaxed' (products with fused multiply-adds), with the matmul kernel tests, where this Node validates
// relaxed SIMD: Node 20 only with --experimental-wasm-relaxed-simd, which `pnpm test`'s second Jest run passes.
const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
const relaxedSimd = wasm.validate(Buffer.from(WASM_RELAXED_GEMM_HEX, 'hex'));
if (!relaxedSimd)
  console.log('Note: this Node does not validate WebAssembly relaxed SIMD: ops on the wasm-relaxed backend are skipped here.');
const onRelaxed = {
  ...perBackend('wasm-relaxed'),
  testMatch: [...perBackend('wasm-relaxed').testMatch, '<rootDir>/packages/core/src/ndarray/kernels/matmul.test.ts'],
};

// And once more with @tapegrad/native's OpenBLAS taking every float product, when its addon was built at install
// (it needs libopenblas-dev; CI installs it and sets TAPEGRAD_REQUIRE_NATIVE=1, so there it must be built).
// The install script rebuilds the addon when a C source is newer (a merge brought new kernels) and is silent otherwise.
spawnSync(process.execPath, [join(__dirname, 'packages/native/scripts/install.mjs')], { stdio: 'inherit' });
const nativeBuilt = existsSync(join(__dirname, 'packages/native/build/Release/tapegrad_native.node'));
if (!nativeBuilt) {
  if (process.env.TAPEGRAD_REQUIRE_NATIVE === '1')
    throw new Error('TAPEGRAD_REQUIRE_NATIVE=1 but packages/native/build has no addon (see its install-status.json)');
  console.log(
    'Note: @tapegrad/native was not built (see packages/native/build/install-status.json): ops on the native backend are skipped.',
  );
}
const onNative = {
  ...base,
  displayName: 'ops on the native backend',
  // fuse's tests too: fused programs then run on the addon's block runner, and must still give the eager bits.
  testMatch: [...perBackend('js').testMatch, '<rootDir>/packages/core/test/fuse.test.ts'],
  setupFilesAfterEnv: [...base.setupFilesAfterEnv, '<rootDir>/packages/native/test/native-backend.setup.ts'],
};

// @tapegrad/webgpu's tests run Dawn on this machine's Vulkan driver; without a GPU, on the SwiftShader driver that Debian's
// chromium package ships (CI installs chromium and libvulkan1). Set here so that Jest's workers inherit it (a test's
// process.env is a copy that Dawn never sees); NODEVICE_SELECT quiets Mesa's device-select layer, which is not needed.
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(swiftshader)) process.env.VK_ICD_FILENAMES = swiftshader;
process.env.NODEVICE_SELECT ??= '1';

const config: Config = {
  projects: [
    {
      ...base,
      displayName: 'all',
      testMatch: [
        '<rootDir>/packages/*/src/**/*.test.ts',
        '<rootDir>/packages/*/test/**/*.test.ts',
        '<rootDir>/docs/test/**/*.test.ts',
        '<rootDir>/test/*.test.ts',
      ],
    },
    perBackend('js'),
    perBackend('wasm'),
    ...(nativeBuilt ? [onNative] : []),
    ...(relaxedSimd ? [onRelaxed] : []),
  ],
  testTimeout: 60_000,
};

export default config;
