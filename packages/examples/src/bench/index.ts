/** Entry point of `pnpm bench`: runs the benchmarks and prints their timings. */
console.log('no benchmarks yet');
