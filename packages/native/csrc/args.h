/*
 * Reading N-API arguments: typed arrays (their data in place, never copied), whole numbers and flags. Every reader
 * throws a JavaScript TypeError or RangeError naming the addon function and the argument, and returns false, so a
 * binding's body is a chain of `if (!read...) return NULL;`.
 */
#ifndef TAPEGRAD_ARGS_H
#define TAPEGRAD_ARGS_H

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** A typed array's element kind, its first element (byte offset applied) and its length in elements. */
typedef struct {
  napi_typedarray_type type;
  void *data;
  size_t length;
} Array;

/* Calls kernel_f32 or kernel_f64 (by `array`'s float type, which every array of the call shares) with the arguments. */
#define BY_FLOAT_TYPE(array, kernel, ...)      \
  do {                                         \
    if ((array).type == napi_float32_array)    \
      kernel##_f32(__VA_ARGS__);               \
    else                                       \
      kernel##_f64(__VA_ARGS__);               \
  } while (0)

/** The arguments of one call: `count` values, and the function's name for error messages. */
typedef struct {
  napi_env env;
  const char *fn;
  size_t count;
  napi_value values[16];
} Args;

bool read_args(napi_env env, napi_callback_info info, const char *fn, size_t expected, Args *args);
/** A Float32Array or Float64Array. */
bool read_float_array(Args *args, size_t i, Array *out);
/** An Int32Array. */
bool read_int32_array(Args *args, size_t i, Array *out);
/** A whole number in [0, max]. */
bool read_index(Args *args, size_t i, int64_t max, int64_t *out);
bool read_double(Args *args, size_t i, double *out);
bool read_flag(Args *args, size_t i, bool *out);
/** Throws a RangeError "<fn>: <message>" and returns false. */
bool range_error(Args *args, const char *message);
/** Throws a TypeError "<fn>: <message>" and returns false. */
bool type_error(Args *args, const char *message);
/** The same errors, as a binding's return value (NULL). */
#define THROW_RANGE(args, message) (range_error(args, message), (napi_value)NULL)
#define THROW_TYPE(args, message) (type_error(args, message), (napi_value)NULL)
/** True when [offset, offset + count) lies inside the array. */
bool fits(const Array *a, int64_t offset, int64_t count);

#endif
