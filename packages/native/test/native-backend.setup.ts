// Runs a test file with the native backend on (jest.config.ts's 'ops on the native backend' project, included only
// when the addon is built): every float matrix product, however small, goes to OpenBLAS, and every elementwise op
// and reduction the addon installs in core's kernel seam runs on its C kernels.
import { enableNative } from '../src/index';

if (!enableNative({ minWork: 0, minElements: 0 }))
  throw new Error('ops on the native backend: the addon did not load (see the note jest.config.ts printed)');
