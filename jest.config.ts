import type { Config } from 'jest';

// Tests run from TypeScript sources: `@tapegrad/*` resolves to each package's `src`, so no build is needed,
// and the `.js` extensions that ESM sources use on relative imports are stripped for Jest's resolver.
// ts-jest transpiles each file on its own (fast) because tsconfig.spec.json sets `isolatedModules: true`
// (ts-jest 29.4 reads it from there); `pnpm typecheck` is the type check.
const config: Config = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/packages/*/src/**/*.test.ts', '<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/docs/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/e2e/'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  moduleNameMapper: {
    '^@tapegrad/([^/]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^@tapegrad/([^/]+)/(.+)$': '<rootDir>/packages/$1/src/$2.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  setupFilesAfterEnv: ['<rootDir>/jest.setup.ts'],
  testTimeout: 60_000,
};

export default config;
