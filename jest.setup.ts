// Registers the gradcheck Jest matchers (`toPassGradcheck`, `toBeAllClose`) for every test file.
// A relative path: setupFilesAfterEnv is resolved by Node resolution, not by moduleNameMapper.
import './packages/gradcheck/src/jest';
import { withoutTfjsNodeAdvert } from './test/quiet-tfjs-advert';

// TensorFlow.js's advertisement for tfjs-node is dropped; every other warning prints (see the module).
console.warn = withoutTfjsNodeAdvert(console.warn.bind(console));
