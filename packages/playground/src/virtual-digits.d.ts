/** The digits vite.config.ts packs from the `mnist` package at build time (see train/digits.ts). */
declare module 'virtual:mnist-digits' {
  const digits: import('./train/digits.js').PackedDigits;
  export default digits;
}
