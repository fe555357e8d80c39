/**
 * How a broadcast binary kernel walks its operands: the output is split into `rows` contiguous runs of
 * `len` elements; row r reads a from aOff[r] with step sa and b from bOff[r] with step sb (steps are 0 or 1).
 * Same-shape and scalar operands collapse to a single row, so the common cases cost one tight loop.
 */
import { type Shape, broadcastShapes, sizeOf } from '../shape.js';
import type { BroadcastRuns } from './backend/kernel-backend.js';

/** The runs (what a backend's binary kernel reads, see BroadcastRuns) and the output's shape and size. */
export interface BroadcastPlan extends BroadcastRuns {
  readonly shape: number[];
  readonly size: number;
}

const ZERO_OFFSETS = new Int32Array(1);

function stridesIn(shape: Shape, out: number[]): number[] {
  // Strides of `shape` laid against the output shape: 0 where the operand is broadcast.
  const n = out.length;
  const strides = new Array<number>(n).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = i + n - shape.length;
    strides[o] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

export function broadcastPlan(aShape: Shape, bShape: Shape, op: string): BroadcastPlan {
  const shape = broadcastShapes(aShape, bShape, op);
  const size = sizeOf(shape);
  const aSize = sizeOf(aShape);
  const bSize = sizeOf(bShape);
  if ((aSize === size || aSize === 1) && (bSize === size || bSize === 1)) {
    return { shape, size, rows: 1, len: size, sa: aSize === 1 ? 0 : 1, sb: bSize === 1 ? 0 : 1, aOff: ZERO_OFFSETS, bOff: ZERO_OFFSETS };
  }
  // Size-1 output dimensions move nothing: drop them before planning.
  const fullA = stridesIn(aShape, shape);
  const fullB = stridesIn(bShape, shape);
  const dims: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    dims.push(shape[i]);
    as.push(fullA[i]);
    bs.push(fullB[i]);
  }
  // Merge trailing dimensions into one inner run while each operand stays contiguous (or stays broadcast).
  let d = dims.length - 1;
  let len = dims[d];
  const sa = as[d] === 0 ? 0 : 1;
  const sb = bs[d] === 0 ? 0 : 1;
  while (d > 0 && as[d - 1] === as[d] * dims[d] && bs[d - 1] === bs[d] * dims[d]) {
    d--;
    len *= dims[d];
  }
  const rows = size / len;
  const aOff = new Int32Array(rows);
  const bOff = new Int32Array(rows);
  const idx = new Array<number>(d).fill(0);
  let oa = 0;
  let ob = 0;
  for (let r = 0; r < rows; r++) {
    aOff[r] = oa;
    bOff[r] = ob;
    for (let k = d - 1; k >= 0; k--) {
      idx[k]++;
      oa += as[k];
      ob += bs[k];
      if (idx[k] < dims[k]) break;
      oa -= as[k] * dims[k];
      ob -= bs[k] * dims[k];
      idx[k] = 0;
    }
  }
  return { shape, size, rows, len, sa, sb, aOff, bOff };
}
