/** The errors this package throws on purpose; both are TapegradErrors, so one `catch` can take all of tapegrad's. */
import { TapegradError } from '@tapegrad/core';

/**
 * A module cannot be exported: no exporter for its class (the message names the module's path and class), an
 * option out of range, an input shape that does not fit a layer, or a weight that float32 cannot hold.
 * @example
 * try { exportOnnx(model, { inputShape: [null, 4] }); } catch (e) { if (e instanceof OnnxExportError) console.error(e.message); }
 */
export class OnnxExportError extends TapegradError {}

/**
 * Bytes that are not an ONNX model tapegrad can rebuild: not protobuf, no graph, an operator or attribute with no
 * tapegrad module, a missing or wrongly-sized initializer. The message names the node and the problem.
 * @example
 * try { importOnnx(bytes); } catch (e) { if (e instanceof OnnxImportError) console.error(e.message); }
 */
export class OnnxImportError extends TapegradError {}
