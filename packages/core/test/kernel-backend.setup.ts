// Runs a test file on one kernel backend (as TF.js runs each case on each backend): jest.config.ts gives each
// backend project a `globals.KERNEL_BACKEND`, and 'wasm' there means WebAssembly for every product, however small.
import { type KernelBackend, setKernelBackend } from '../src/ndarray/kernels/backend/kernel-backend';

const backend = (globalThis as { KERNEL_BACKEND?: KernelBackend }).KERNEL_BACKEND;
if (backend !== undefined) setKernelBackend(backend);
