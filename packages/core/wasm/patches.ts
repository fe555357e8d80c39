// AssemblyScript source of the convolution's patch copies in float32 (compiled into dot.ts's module by
// `node wasm/build.mjs`): im2col writes the patch matrix of output rows [r0, r1) of a convolution, col [K, cols] with
// K = C * kh * kw (row (c, i, j)) and cols = (r1 - r0) * outW (column (image, oh, ow)), rows `ld` apart, reading 0
// outside the input and writing 0 in [cols, ld); col2im is its adjoint, adding each entry of col into the input
// element it was read from. The same copies as src/ndarray/kernels/conv.ts's `patches`, in WebAssembly because there
// the rows of a small image (LeNet-5's second layer: 10 elements) are copied an element at a time at about 1 ns each.
// `geometry` holds 16 int32 values: C, H, W, kh, kw, sh, sw, dh, dw, pt, pl, outH, outW, r0, r1, ld.

// @ts-ignore: decorator
@inline
function at(geometry: usize, field: i32): i32 {
  return load<i32>(geometry + (<usize>field << 2));
}

// The ow in [0, outW) whose column ow * stride + offset lies in [0, width), as [lo, hi) packed lo | hi << 16.
// @ts-ignore: decorator
@inline
function valid(offset: i32, stride: i32, width: i32, outW: i32): i32 {
  const lo = offset >= 0 ? 0 : min((-offset + stride - 1) / stride, outW);
  const hi = offset > width - 1 ? 0 : min((width - 1 - offset) / stride + 1, outW);
  return lo | (max(hi, lo) << 16);
}

function walk(x: usize, col: usize, geometry: usize, add: bool): void {
  const C = at(geometry, 0), H = at(geometry, 1), W = at(geometry, 2), kh = at(geometry, 3), kw = at(geometry, 4);
  const sh = at(geometry, 5), sw = at(geometry, 6), dh = at(geometry, 7), dw = at(geometry, 8);
  const pt = at(geometry, 9), pl = at(geometry, 10), outH = at(geometry, 11), outW = at(geometry, 12);
  const r0 = at(geometry, 13), r1 = at(geometry, 14), ld = at(geometry, 15);
  const cols = (r1 - r0) * outW;
  let row = col;
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const colOffset = j * dw - pl;
        const range = valid(colOffset, sw, W, outW);
        const lo = range & 0xffff, hi = range >>> 16;
        let d = row;
        // The image b and output row oh of r, stepped along (a division per row costs more than its copy).
        let b = r0 / outH;
        let oh = r0 - b * outH;
        for (let r = r0; r < r1; r++) {
          const ih = oh * sh + i * dh - pt;
          const inside = ih >= 0 && ih < H && lo < hi;
          const src = x + (<usize>(((b * C + c) * H + ih) * W + colOffset) << 2);
          if (add) {
            if (inside) {
              let t = lo;
              if (sw == 1)
                for (; t + 4 <= hi; t += 4) {
                  const s = src + (<usize>t << 2);
                  v128.store(s, f32x4.add(v128.load(s), v128.load(d + (<usize>t << 2))));
                }
              for (; t < hi; t++) {
                const s = src + (<usize>(t * sw) << 2);
                store<f32>(s, load<f32>(s) + load<f32>(d + (<usize>t << 2)));
              }
            }
          } else if (!inside) {
            memory.fill(d, 0, <usize>outW << 2);
          } else {
            for (let t = 0; t < lo; t++) store<f32>(d + (<usize>t << 2), 0);
            let t = lo;
            if (sw == 1) for (; t + 4 <= hi; t += 4) v128.store(d + (<usize>t << 2), v128.load(src + (<usize>t << 2)));
            for (; t < hi; t++) store<f32>(d + (<usize>t << 2), load<f32>(src + (<usize>(t * sw) << 2)));
            for (t = hi; t < outW; t++) store<f32>(d + (<usize>t << 2), 0);
          }
          d += <usize>outW << 2;
          if (++oh == outH) {
            oh = 0;
            b++;
          }
        }
        if (!add) memory.fill(d, 0, <usize>(ld - cols) << 2);
        row += <usize>ld << 2;
      }
    }
  }
}

/** Writes the patch matrix of output rows [r0, r1) of X (float32, NCHW) into col (see the file comment). */
export function im2colF32(x: usize, col: usize, geometry: usize): void {
  walk(x, col, geometry, false);
}

/** Adds col's entries into X where im2colF32 read them: X += col2im(col). */
export function col2imF32(x: usize, col: usize, geometry: usize): void {
  walk(x, col, geometry, true);
}
