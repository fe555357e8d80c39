// Registers the gradcheck Jest matchers (`toPassGradcheck`, `toBeAllClose`) for every test file.
// A relative path: setupFilesAfterEnv is resolved by Node resolution, not by moduleNameMapper.
import './packages/gradcheck/src/jest';
