#include "args.h"

#include <stdio.h>

static bool throw_with(Args *args, bool range, const char *message) {
  char text[320];
  snprintf(text, sizeof text, "@tapegrad/native %s: %s", args->fn, message);
  if (range)
    napi_throw_range_error(args->env, NULL, text);
  else
    napi_throw_type_error(args->env, NULL, text);
  return false;
}

bool range_error(Args *args, const char *message) { return throw_with(args, true, message); }
bool type_error(Args *args, const char *message) { return throw_with(args, false, message); }

bool read_args(napi_env env, napi_callback_info info, const char *fn, size_t expected, Args *args) {
  args->env = env;
  args->fn = fn;
  args->count = 16;
  if (napi_get_cb_info(env, info, &args->count, args->values, NULL, NULL) != napi_ok) return type_error(args, "cannot read the arguments");
  if (args->count < expected) {
    char text[96];
    snprintf(text, sizeof text, "expected %zu arguments, got %zu", expected, args->count);
    return type_error(args, text);
  }
  return true;
}

static bool is_float_type(napi_typedarray_type type) { return type == napi_float32_array || type == napi_float64_array; }
static bool is_int32_type(napi_typedarray_type type) { return type == napi_int32_array; }

/* Argument i as a typed array of a type `accepts` allows, or a TypeError saying it must be `what`. */
static bool read_typed_array(Args *args, size_t i, Array *out, bool (*accepts)(napi_typedarray_type), const char *what) {
  bool is_typed = false;
  napi_is_typedarray(args->env, args->values[i], &is_typed);
  if (is_typed) {
    napi_value buffer;
    size_t byte_offset;
    if (napi_get_typedarray_info(args->env, args->values[i], &out->type, &out->length, &out->data, &buffer, &byte_offset) == napi_ok &&
        accepts(out->type))
      return true;
  }
  char text[96];
  snprintf(text, sizeof text, "argument %zu must be %s", i, what);
  return type_error(args, text);
}

bool read_float_array(Args *args, size_t i, Array *out) {
  return read_typed_array(args, i, out, is_float_type, "a Float32Array or a Float64Array");
}

bool read_int32_array(Args *args, size_t i, Array *out) { return read_typed_array(args, i, out, is_int32_type, "an Int32Array"); }

bool read_double(Args *args, size_t i, double *out) {
  if (napi_get_value_double(args->env, args->values[i], out) == napi_ok) return true;
  char text[96];
  snprintf(text, sizeof text, "argument %zu must be a number", i);
  return type_error(args, text);
}

bool read_index(Args *args, size_t i, int64_t max, int64_t *out) {
  double value;
  if (!read_double(args, i, &value)) return false;
  if (!(value >= 0 && value <= (double)max && value == (double)(int64_t)value)) {
    char text[160];
    snprintf(text, sizeof text, "argument %zu must be a whole number in [0, %lld], got %g", i, (long long)max, value);
    return range_error(args, text);
  }
  *out = (int64_t)value;
  return true;
}

bool read_flag(Args *args, size_t i, bool *out) {
  if (napi_get_value_bool(args->env, args->values[i], out) == napi_ok) return true;
  char text[96];
  snprintf(text, sizeof text, "argument %zu must be a boolean", i);
  return type_error(args, text);
}

bool fits(const Array *a, int64_t offset, int64_t count) { return offset >= 0 && count >= 0 && (uint64_t)(offset + count) <= a->length; }
