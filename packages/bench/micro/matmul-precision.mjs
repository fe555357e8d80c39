// The figure behind docs/decisions.md's matmul precision entry: float32 products (four SIMD lanes, float32
// accumulators) against float64 ones (two lanes) on the WebAssembly kernel, alternating in rounds.
// Run after `pnpm build`: `node packages/bench/micro/matmul-precision.mjs`.
import { noGrad, randn, setKernelBackend } from '@tapegrad/core';

setKernelBackend('wasm');
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const time = (fn, n) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
};
for (const n of [256, 512]) {
  const a32 = randn([n, n], { dtype: 'float32' });
  const b32 = randn([n, n], { dtype: 'float32' });
  const a64 = a32.cast('float64');
  const b64 = b32.cast('float64');
  const f32 = () => noGrad(() => a32.matmul(b32));
  const f64 = () => noGrad(() => a64.matmul(b64));
  for (let i = 0; i < 5; i++) (f32(), f64());
  const reps = n === 256 ? 40 : 6;
  const r32 = [];
  const r64 = [];
  for (let round = 0; round < 12; round++) (r32.push(time(f32, reps)), r64.push(time(f64, reps)));
  const [m32, m64] = [median(r32), median(r64)];
  const gflops = (ms) => ((2 * n ** 3) / (ms * 1e6)).toFixed(1);
  console.log(`n=${n}: float32 ${gflops(m32)} GFLOP/s, float64 ${gflops(m64)} GFLOP/s: float64 takes ${(m64 / m32).toFixed(2)}x`);
}
