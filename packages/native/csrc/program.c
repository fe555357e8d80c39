/*
 * Fused programs (what core's `fuse` compiles, fusion/block-program.ts) run in C: the program's kernel calls over a
 * block of PROGRAM_BLOCK elements at a time, each call being the addon's own kernel (elementwise.c) on that block,
 * so every intermediate lives in a small scratch block that stays in L1 and none is ever allocated at full size.
 * It is core's block runner step for step: each value is rounded to the dtype by its kernel as core's is, and each
 * sum keeps core's four running sums in double over elements i mod 4 (the blocks are a multiple of 4 long), so the
 * results are the bits core gives, where every kernel the program calls gives core's bits (src/kernel-set.ts
 * declines the others).
 *
 *   runProgram(code: Int32Array, constants: Float64Array, inputs: FloatArray[], written: (FloatArray | null)[],
 *              size: number, sums: Float64Array)
 *
 * code = [dtype (0 float32, 1 float64), slots S, steps T, outputs O,
 *         S x (kind, arg): kind 0 full input `arg`, 1 one element of input `arg`, 2 constant `arg`,
 *                          3 a step's full-size value, 4 a step's one-element value,
 *         T x (unary 0/1, kernel index in UNARY_KERNELS or BINARY_KERNELS, a, b, out),
 *         O x (slot, reduce 0/1),
 *         rank R, R x (size of each axis of the full shape), P, P x (input, R x stride): the inputs gathered
 *         through strides ('partial' slots, kind 5, `arg` = their index here; stride 0 where broadcast)]
 * sums[k] receives output k's sum (0 for a written output); written[k] (full size) receives a written output.
 */
#include <stdlib.h>
#include <string.h>

#include "bindings.h"
#include "kernels.h"

/* 4 KB of float32 per scratch slot: a program's live blocks stay in L1. A multiple of 4 (the running sums). */
#define PROGRAM_BLOCK 1024
#define MAX_SLOTS 256
#define MAX_IO 64

enum { FULL, SCALAR, CONSTANT, STEP, STEP_SCALAR, PARTIAL };

#define MAX_RANK 16

typedef struct {
  int32_t kind, arg;
} Slot;

typedef struct {
  int32_t unary, kernel, a, b, out;
} Call;

typedef struct {
  int32_t slot, reduce;
} Output;

typedef struct {
  bool f64;
  size_t slot_count, step_count, output_count, size;
  const Slot *slots;
  const Call *steps;
  const Output *outputs;
  /* The full shape, and each strided input: its index, then its stride along each axis. */
  size_t rank, partial_count;
  const int32_t *shape, *partials;
  /* direct[s]: the written output a full-size step's value goes straight into, or -1 (it goes to scratch). */
  int32_t direct[MAX_SLOTS];
} Program;

static bool one_element(const Program *p, int32_t s) {
  const int32_t kind = p->slots[s].kind;
  return kind == SCALAR || kind == CONSTANT || kind == STEP_SCALAR;
}

/*
 * Elements [start, start + len) of a strided input, laid out as the full shape (core's gather in
 * block-program.ts): an odometer over the axes, stepping the input offset by each axis's stride.
 */
#define DEFINE_GATHER(NAME, T)                                                                                      \
  static void NAME(const Program *p, const T *src, const int32_t *strides, size_t start, size_t len, T *dst) {     \
    size_t idx[MAX_RANK], rest = start;                                                                            \
    int64_t off = 0;                                                                                               \
    for (size_t d = p->rank; d-- > 0;) {                                                                           \
      idx[d] = rest % (size_t)p->shape[d];                                                                         \
      rest /= (size_t)p->shape[d];                                                                                 \
      off += (int64_t)idx[d] * strides[d];                                                                         \
    }                                                                                                              \
    for (size_t j = 0; j < len; j++) {                                                                             \
      dst[j] = src[off];                                                                                           \
      for (size_t d = p->rank; d-- > 0;) {                                                                         \
        off += strides[d];                                                                                         \
        if (++idx[d] < (size_t)p->shape[d]) break;                                                                 \
        off -= (int64_t)strides[d] * p->shape[d];                                                                  \
        idx[d] = 0;                                                                                                \
      }                                                                                                            \
    }                                                                                                              \
  }
DEFINE_GATHER(gather_f32, float)
DEFINE_GATHER(gather_f64, double)

/*
 * The block loop, once per dtype. view[s] points at slot s's values for the current block: into an input, into a
 * written output, or into scratch; a one-element slot's single value is view[s][0].
 */
#define DEFINE_RUN(NAME, T, SUFFIX, GATHER)                                                                                 \
  static void NAME(const Program *p, T *const *inputs, T *const *written, const double *constants, T *scratch,     \
                   double *sums) {                                                                                 \
    T *view[MAX_SLOTS];                                                                                            \
    const int32_t zero = 0;                                                                                        \
    const size_t size = p->size, n4 = size - size % 4;                                                             \
    for (size_t s = 0; s < p->slot_count; s++)                                                                     \
      if (p->slots[s].kind == CONSTANT) scratch[s * PROGRAM_BLOCK] = (T)constants[p->slots[s].arg];                 \
    for (size_t start = 0; start < size; start += PROGRAM_BLOCK) {                                                 \
      const size_t len = size - start < PROGRAM_BLOCK ? size - start : PROGRAM_BLOCK;                              \
      for (size_t s = 0; s < p->slot_count; s++) {                                                                 \
        const Slot slot = p->slots[s];                                                                             \
        if (slot.kind == FULL)                                                                                     \
          view[s] = inputs[slot.arg] + start;                                                                      \
        else if (slot.kind == SCALAR)                                                                              \
          view[s] = inputs[slot.arg];                                                                              \
        else if (slot.kind == STEP && p->direct[s] >= 0)                                                           \
          view[s] = written[p->direct[s]] + start;                                                                 \
        else if (slot.kind == PARTIAL) {                                                                           \
          const int32_t *partial = p->partials + (size_t)slot.arg * (1 + p->rank);                                 \
          view[s] = scratch + s * PROGRAM_BLOCK;                                                                   \
          GATHER(p, inputs[partial[0]], partial + 1, start, len, view[s]);                                         \
        } else                                                                                                     \
          view[s] = scratch + s * PROGRAM_BLOCK;                                                                   \
      }                                                                                                            \
      for (size_t t = 0; t < p->step_count; t++) {                                                                 \
        const Call c = p->steps[t];                                                                                \
        if (c.unary) {                                                                                             \
          UNARY_KERNELS[c.kernel].SUFFIX(view[c.a], view[c.out], one_element(p, c.out) ? 1 : len);                  \
        } else {                                                                                                   \
          const size_t sa = one_element(p, c.a) ? 0 : 1, sb = one_element(p, c.b) ? 0 : 1;                        \
          const Plan plan = {1, sa || sb ? len : 1, sa, sb, &zero, &zero};                                         \
          BINARY_KERNELS[c.kernel].SUFFIX(view[c.a], view[c.b], view[c.out], &plan);                               \
        }                                                                                                          \
      }                                                                                                            \
      for (size_t k = 0; k < p->output_count; k++) {                                                               \
        const Output o = p->outputs[k];                                                                            \
        const T *v = view[o.slot];                                                                                 \
        const bool single = one_element(p, o.slot);                                                                \
        if (o.reduce) {                                                                                            \
          /* core's reduceAll order: element i into sum i mod 4 below n4, the tail into the first. */              \
          const size_t lanes = start >= n4 ? 0 : n4 - start < len ? n4 - start : len;                              \
          double *acc = sums + 4 * k;                                                                              \
          double s0 = acc[0], s1 = acc[1], s2 = acc[2], s3 = acc[3];                                               \
          size_t j = 0;                                                                                            \
          if (single) {                                                                                            \
            const double x = v[0];                                                                                 \
            for (; j < lanes; j += 4) s0 += x, s1 += x, s2 += x, s3 += x;                                          \
            for (; j < len; j++) s0 += x;                                                                          \
          } else {                                                                                                 \
            for (; j < lanes; j += 4) s0 += v[j], s1 += v[j + 1], s2 += v[j + 2], s3 += v[j + 3];                  \
            for (; j < len; j++) s0 += v[j];                                                                       \
          }                                                                                                        \
          acc[0] = s0, acc[1] = s1, acc[2] = s2, acc[3] = s3;                                                      \
        } else if (p->direct[o.slot] != (int32_t)k) {                                                              \
          T *dest = written[k] + start;                                                                            \
          if (single)                                                                                              \
            for (size_t j = 0; j < len; j++) dest[j] = v[0];                                                       \
          else                                                                                                     \
            memcpy(dest, v, len * sizeof(T));                                                                      \
        }                                                                                                          \
      }                                                                                                            \
    }                                                                                                              \
  }

DEFINE_RUN(run_f32, float, f32, gather_f32)
DEFINE_RUN(run_f64, double, f64, gather_f64)

/* Reads and checks the code array: every index in range, every step writing a step slot of the right size. */
static bool read_code(Args *args, const Array *code, Program *p) {
  const int32_t *c = code->data;
  if (code->length < 4) return range_error(args, "code is too short");
  if (c[0] != 0 && c[0] != 1) return range_error(args, "code[0] (the dtype) must be 0 or 1");
  p->f64 = c[0] == 1;
  if (c[1] < 0 || c[1] > MAX_SLOTS || c[2] < 0 || c[3] < 0 || c[3] > MAX_IO) return range_error(args, "too many slots or outputs");
  p->slot_count = (size_t)c[1], p->step_count = (size_t)c[2], p->output_count = (size_t)c[3];
  const size_t body = 4 + 2 * p->slot_count + 5 * p->step_count + 2 * p->output_count;
  if (code->length < body + 2) return range_error(args, "code's length does not match its counts");
  p->slots = (const Slot *)(c + 4);
  p->steps = (const Call *)(c + 4 + 2 * p->slot_count);
  p->outputs = (const Output *)(c + 4 + 2 * p->slot_count + 5 * p->step_count);
  if (c[body] < 0 || c[body] > MAX_RANK) return range_error(args, "the shape's rank is out of range");
  p->rank = (size_t)c[body];
  p->shape = c + body + 1;
  if (code->length < body + 2 + p->rank) return range_error(args, "code's length does not match its counts");
  int64_t elements = 1;
  for (size_t d = 0; d < p->rank; d++) {
    if (p->shape[d] < 0) return range_error(args, "an axis of the shape is negative");
    elements *= p->shape[d];
  }
  if (c[body + 1 + p->rank] < 0) return range_error(args, "the count of strided inputs is negative");
  p->partial_count = (size_t)c[body + 1 + p->rank];
  p->partials = c + body + 2 + p->rank;
  if (code->length != body + 2 + p->rank + p->partial_count * (1 + p->rank)) return range_error(args, "code's length does not match its counts");
  p->size = (size_t)elements;
  const int32_t slots = (int32_t)p->slot_count;
  for (size_t s = 0; s < p->slot_count; s++) {
    p->direct[s] = -1;
    if (p->slots[s].kind < FULL || p->slots[s].kind > PARTIAL || p->slots[s].arg < 0) return range_error(args, "a slot is malformed");
    if (p->slots[s].kind == PARTIAL && (size_t)p->slots[s].arg >= p->partial_count) return range_error(args, "a strided slot is out of range");
  }
  for (size_t t = 0; t < p->step_count; t++) {
    const Call k = p->steps[t];
    const size_t count = k.unary ? UNARY_KERNEL_COUNT : BINARY_KERNEL_COUNT;
    if (k.kernel < 0 || (size_t)k.kernel >= count) return range_error(args, "a step names no kernel");
    if (k.a < 0 || k.a >= slots || k.out < 0 || k.out >= slots || (!k.unary && (k.b < 0 || k.b >= slots)))
      return range_error(args, "a step's slot is out of range");
    const int32_t out_kind = p->slots[k.out].kind;
    const bool single = one_element(p, k.a) && (k.unary || one_element(p, k.b));
    if (out_kind != (single ? STEP_SCALAR : STEP)) return range_error(args, "a step writes a slot that is not a step's of its size");
  }
  for (size_t o = 0; o < p->output_count; o++) {
    const Output out = p->outputs[o];
    if (out.slot < 0 || out.slot >= slots) return range_error(args, "an output's slot is out of range");
    if (!out.reduce && p->slots[out.slot].kind == STEP && p->direct[out.slot] < 0) p->direct[out.slot] = (int32_t)o;
  }
  return true;
}

/* Reads a JavaScript array of typed arrays (null allowed where `nullable`) of the program's dtype. */
static bool read_arrays(Args *args, size_t i, bool f64, bool nullable, void **data, size_t *lengths, size_t *count) {
  napi_env env = args->env;
  uint32_t n = 0;
  if (napi_get_array_length(env, args->values[i], &n) != napi_ok || n > MAX_IO) return type_error(args, "expected an array of at most 64 typed arrays");
  for (uint32_t k = 0; k < n; k++) {
    napi_value item;
    napi_valuetype type;
    napi_get_element(env, args->values[i], k, &item);
    napi_typeof(env, item, &type);
    data[k] = NULL, lengths[k] = 0;
    if (nullable && type == napi_null) continue;
    bool is_typed = false;
    napi_typedarray_type kind;
    napi_value buffer;
    size_t offset;
    napi_is_typedarray(env, item, &is_typed);
    if (!is_typed || napi_get_typedarray_info(env, item, &kind, &lengths[k], &data[k], &buffer, &offset) != napi_ok ||
        kind != (f64 ? napi_float64_array : napi_float32_array))
      return type_error(args, f64 ? "every array must be a Float64Array (the program's dtype)" : "every array must be a Float32Array (the program's dtype)");
  }
  *count = n;
  return true;
}

/* runProgram(code, constants, inputs, written, size, sums): see the file comment. */
napi_value run_program(napi_env env, napi_callback_info info) {
  Args args;
  Array code, constants, sums;
  Program p = {0};
  int64_t size;
  void *inputs[MAX_IO], *written[MAX_IO];
  size_t input_lengths[MAX_IO], written_lengths[MAX_IO], input_count, written_count;
  if (!read_args(env, info, "runProgram", 6, &args) || !read_int32_array(&args, 0, &code) || !read_float_array(&args, 1, &constants) ||
      !read_code(&args, &code, &p) || !read_index(&args, 4, (int64_t)1 << 40, &size) || !read_float_array(&args, 5, &sums))
    return NULL;
  if (constants.type != napi_float64_array || sums.type != napi_float64_array) return THROW_TYPE(&args, "constants and sums must be Float64Array");
  if (sums.length < p.output_count) return THROW_RANGE(&args, "sums needs an element per output");
  if ((size_t)size != p.size) return THROW_RANGE(&args, "size is not the product of the shape's axes");
  if (!read_arrays(&args, 2, p.f64, false, inputs, input_lengths, &input_count) ||
      !read_arrays(&args, 3, p.f64, true, written, written_lengths, &written_count))
    return NULL;
  for (size_t s = 0; s < p.slot_count; s++) {
    const Slot slot = p.slots[s];
    if (slot.kind == CONSTANT && (size_t)slot.arg >= constants.length) return THROW_RANGE(&args, "a constant slot is out of range");
    if ((slot.kind == FULL || slot.kind == SCALAR) &&
        ((size_t)slot.arg >= input_count || input_lengths[slot.arg] < (slot.kind == FULL ? p.size : 1)))
      return THROW_RANGE(&args, "an input is missing or shorter than its slot reads");
  }
  for (size_t q = 0; q < p.partial_count; q++) {
    /* The largest offset a strided input is read at: each axis at its last index (strides are never negative). */
    const int32_t *partial = p.partials + q * (1 + p.rank);
    int64_t last = 0;
    for (size_t d = 0; d < p.rank; d++) {
      if (partial[1 + d] < 0) return THROW_RANGE(&args, "a stride is negative");
      last += (int64_t)partial[1 + d] * (p.shape[d] > 0 ? p.shape[d] - 1 : 0);
    }
    if (partial[0] < 0 || (size_t)partial[0] >= input_count || (p.size > 0 && (uint64_t)last >= input_lengths[partial[0]]))
      return THROW_RANGE(&args, "a strided input is missing or shorter than its strides read");
  }
  for (size_t o = 0; o < p.output_count; o++)
    if (!p.outputs[o].reduce && (o >= written_count || written[o] == NULL || written_lengths[o] < p.size))
      return THROW_RANGE(&args, "a written output has no array of the full size");
  const size_t element = p.f64 ? sizeof(double) : sizeof(float);
  void *scratch = calloc(p.slot_count ? p.slot_count * PROGRAM_BLOCK : 1, element);
  double *acc = calloc(4 * (p.output_count ? p.output_count : 1), sizeof(double));
  if (scratch == NULL || acc == NULL) {
    free(scratch), free(acc);
    napi_throw_error(env, NULL, "@tapegrad/native runProgram: out of memory for scratch blocks");
    return NULL;
  }
  if (p.f64)
    run_f64(&p, (double *const *)inputs, (double *const *)written, constants.data, scratch, acc);
  else
    run_f32(&p, (float *const *)inputs, (float *const *)written, constants.data, scratch, acc);
  double *out = sums.data;
  for (size_t k = 0; k < p.output_count; k++) out[k] = p.outputs[k].reduce ? acc[4 * k] + acc[4 * k + 1] + (acc[4 * k + 2] + acc[4 * k + 3]) : 0;
  free(scratch), free(acc);
  return NULL;
}

/* programKernels(): the kernel names in the order runProgram's code indexes them, { unary: [...], binary: [...] }. */
napi_value program_kernels(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, unary, binary, name;
  napi_create_object(env, &result);
  napi_create_array_with_length(env, UNARY_KERNEL_COUNT, &unary);
  napi_create_array_with_length(env, BINARY_KERNEL_COUNT, &binary);
  for (size_t i = 0; i < UNARY_KERNEL_COUNT; i++) {
    napi_create_string_utf8(env, UNARY_KERNELS[i].name, NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, unary, (uint32_t)i, name);
  }
  for (size_t i = 0; i < BINARY_KERNEL_COUNT; i++) {
    napi_create_string_utf8(env, BINARY_KERNELS[i].name, NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, binary, (uint32_t)i, name);
  }
  napi_set_named_property(env, result, "unary", unary);
  napi_set_named_property(env, result, "binary", binary);
  return result;
}
