// The shapes convolution and pooling share.
/** A sliding window over an image (convolution's kernel, a pool's window): the image, the window and where it lands. */
export interface WindowGeometry {
  /** Input height. */
  readonly height: number;
  /** Input width. */
  readonly width: number;
  /** Window (kernel) height. */
  readonly kernelH: number;
  /** Window (kernel) width. */
  readonly kernelW: number;
  /** Vertical stride. */
  readonly strideH: number;
  /** Horizontal stride. */
  readonly strideW: number;
  /** Vertical dilation. */
  readonly dilationH: number;
  /** Horizontal dilation. */
  readonly dilationW: number;
  /** Padding rows above the input (those added below only shorten or lengthen `outH`). */
  readonly padTop: number;
  /** Padding columns left of the input. */
  readonly padLeft: number;
  /** Output height. */
  readonly outH: number;
  /** Output width. */
  readonly outW: number;
}
