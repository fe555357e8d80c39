/**
 * @tapegrad/onnx: export trained tapegrad modules to ONNX, for ONNX Runtime and the other runtimes that serve
 * models, and import ONNX MLPs back as modules. Browser-safe; file I/O lives in `@tapegrad/onnx/node`.
 * @module @tapegrad/onnx
 * @packageDocumentation
 */
export { exportOnnx, SUPPORTED_OPSETS } from './export/export.js';
export type { ExportOnnxOptions } from './export/export.js';
export { registerOnnxExporter } from './export/exporters.js';
export type { ModuleClass } from './export/exporters.js';
export { OnnxGraph } from './export/graph-builder.js';
export type { OnnxAttribute, OnnxDim, OnnxExporter, OnnxNodeOptions, OnnxValue } from './export/graph-builder.js';
export { OnnxExportError, OnnxImportError } from './errors.js';
export { importOnnx } from './import/import.js';
export type { ImportOnnxOptions } from './import/import.js';
