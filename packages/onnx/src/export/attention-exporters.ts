/**
 * ONNX exporters of MultiheadAttention and TransformerBlock (its LayerNorms through conv-exporters.ts), in opset-17
 * operators with float constants only (the graph builder writes float32 initializers): attention head by head
 * (each head's query, key and value projections are MatMuls by that head's rows of in_proj_weight, so no Reshape
 * with int64 shapes is needed), softmax(q kᵀ / √d + causal mask) v, heads concatenated, then out_proj; GELU as
 * x · ½(1 + erf(x / √2)) (ONNX's Gelu operator arrives only in opset 20). What they write is the eval-mode
 * computation (no dropout). MultiheadAttention exports as self-attention, `forward(x)`.
 */
import type { Tensor } from '@tapegrad/core';
import { type Linear, MultiheadAttention, TransformerBlock } from '@tapegrad/nn';
import type { OnnxDim, OnnxExporter, OnnxGraph, OnnxValue } from './graph-builder.js';
import { fail, formatDims, join } from './naming.js';

/** Rows [start, start + count) of a [rows, cols] weight, transposed to [cols, count] (the right operand of MatMul). */
function transposedRows(w: Tensor, start: number, count: number): { values: Float64Array; dims: number[] } {
  const cols = w.shape[1];
  const values = new Float64Array(cols * count);
  for (let r = 0; r < count; r++) for (let c = 0; c < cols; c++) values[c * count + r] = w.data[(start + r) * cols + c];
  return { values, dims: [cols, count] };
}

/** x · W[start : start + count]ᵀ (+ b[start : start + count]): one block of rows of a [rows, in] weight. */
function project(
  graph: OnnxGraph,
  x: OnnxValue,
  w: Tensor,
  b: Tensor | null,
  rows: { start: number; count: number; name: string; scope: string },
): OnnxValue {
  const out = [...x.shape.slice(0, -1), rows.count];
  const wt = transposedRows(w, rows.start, rows.count);
  const y = graph.node('MatMul', [x.name, graph.initializer(`${rows.name}.weight.T`, wt.values, wt.dims)], out, { scope: rows.scope });
  if (b === null) return y;
  const bias = graph.initializer(`${rows.name}.bias`, b.data.subarray(rows.start, rows.start + rows.count), [rows.count]);
  return graph.node('Add', [y.name, bias], out, { scope: rows.scope });
}

function linear(graph: OnnxGraph, m: Linear, x: OnnxValue, path: string): OnnxValue {
  return project(graph, x, m.weight, m.bias, { start: 0, count: m.outFeatures, name: path, scope: path });
}

/** A constant scalar. */
function constant(graph: OnnxGraph, name: string, value: number): string {
  return graph.initializer(name, [value], []);
}

/** Self-attention of x [B, L, E], causal or not. */
function selfAttention(graph: OnnxGraph, m: MultiheadAttention, x: OnnxValue, path: string, causal: boolean): OnnxValue {
  const E = m.embedDim;
  if (x.shape.length !== 3 || x.shape[2] !== E)
    fail(m, path, `takes [batch, length, ${E}]; its input there has shape ${formatDims(x.shape)}`);
  const L = x.shape[1];
  let mask: string | null = null;
  if (causal) {
    if (typeof L !== 'number') fail(m, path, 'is causal, so its sequence length must be fixed; give inputShape a number for axis 1');
    // -1e30 rather than -Infinity: initializers must be finite; exp underflows to the same 0.
    const values = new Float32Array(L * L);
    for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) values[i * L + j] = -1e30;
    mask = graph.initializer(join(path, 'causal_mask'), values, [L, L]);
  }
  const D = m.headDim;
  const scale = constant(graph, join(path, 'scale'), 1 / Math.sqrt(D));
  const heads: string[] = [];
  for (let h = 0; h < m.numHeads; h++) {
    const scope = join(path, `head${h}`);
    const part = (block: number, name: string) =>
      project(graph, x, m.in_proj_weight, m.in_proj_bias, {
        start: block * E + h * D,
        count: D,
        name: join(path, `in_proj.${name}${h}`),
        scope,
      });
    const [q, k, v] = [part(0, 'q'), part(1, 'k'), part(2, 'v')];
    const kt = graph.node('Transpose', [k.name], [x.shape[0], D, L], { scope, attributes: { perm: { ints: [0, 2, 1] } } });
    const scoresShape: OnnxDim[] = [x.shape[0], L, L];
    let scores = graph.node('Mul', [graph.node('MatMul', [q.name, kt.name], scoresShape, { scope }).name, scale], scoresShape, { scope });
    if (mask !== null) scores = graph.node('Add', [scores.name, mask], scoresShape, { scope });
    const p = graph.node('Softmax', [scores.name], scoresShape, { scope, attributes: { axis: { int: -1 } } });
    heads.push(graph.node('MatMul', [p.name, v.name], [x.shape[0], L, D], { scope }).name);
  }
  const joined =
    heads.length === 1
      ? { name: heads[0], shape: x.shape }
      : graph.node('Concat', heads, x.shape, { scope: path, attributes: { axis: { int: -1 } } });
  return linear(graph, m.out_proj, joined, join(path, 'out_proj'));
}

export const multiheadAttentionExporter: OnnxExporter<MultiheadAttention> = (m, x, graph, path) => selfAttention(graph, m, x, path, false);

/** x · ½(1 + erf(x / √2)), exact GELU in opset-13 operators. */
function gelu(graph: OnnxGraph, x: OnnxValue, scope: string): OnnxValue {
  const node = (op: string, inputs: string[]) => graph.node(op, inputs, x.shape, { scope });
  const erf = node('Erf', [node('Mul', [x.name, constant(graph, join(scope, 'inv_sqrt2'), Math.SQRT1_2)]).name]);
  const half = node('Mul', [
    node('Add', [erf.name, constant(graph, join(scope, 'one'), 1)]).name,
    constant(graph, join(scope, 'half'), 0.5),
  ]);
  return node('Mul', [x.name, half.name]);
}

/** x + attention(norm1(x)), then + linear2(activation(linear1(norm2(.)))). */
export const transformerBlockExporter: OnnxExporter<TransformerBlock> = (m, x, graph, path) => {
  const attended = selfAttention(graph, m.self_attn, graph.module(m.norm1, x, join(path, 'norm1')), join(path, 'self_attn'), m.causal);
  const y = graph.node('Add', [x.name, attended.name], x.shape, { scope: path });
  const hidden = linear(graph, m.linear1, graph.module(m.norm2, y, join(path, 'norm2')), join(path, 'linear1'));
  const activated =
    m.activation === 'gelu'
      ? gelu(graph, hidden, join(path, 'activation'))
      : graph.node('Relu', [hidden.name], hidden.shape, { scope: path });
  const out = linear(graph, m.linear2, activated, join(path, 'linear2'));
  return graph.node('Add', [y.name, out.name], x.shape, { scope: path });
};

export const ATTENTION_EXPORTERS = [
  [MultiheadAttention, multiheadAttentionExporter],
  [TransformerBlock, transformerBlockExporter],
] as const;
