/**
 * A grid of small images, each with a caption under it: the misclassified test digits, captioned with the true digit
 * and the prediction. Drawn as ECharts graphic elements so it goes through the same renderer as every chart.
 */
import { type ChartOption, FONT, renderSvg } from './render.js';

export interface CaptionedImage {
  /** The image as a data: URL (a PNG). */
  readonly href: string;
  /** The text under it. */
  readonly caption: string;
  /** The caption's colour (default the text colour). */
  readonly color?: string;
}

/** Layout of one tile: the image's size, the caption's height, the gap around. */
export const TILE = { image: 56, caption: 16, gap: 10 } as const;

/** The images in rows of `columns`, under a title. */
export function imageGrid(title: string, items: readonly CaptionedImage[], columns = 10): string {
  const cols = Math.max(1, Math.min(columns, items.length));
  const rows = Math.max(1, Math.ceil(items.length / cols));
  const tileW = TILE.image + 2 * TILE.gap;
  const tileH = TILE.image + TILE.caption + TILE.gap;
  const top = 36;
  const elements = items.flatMap((item, k) => {
    const x = (k % cols) * tileW + TILE.gap;
    const y = top + Math.floor(k / cols) * tileH;
    return [
      { type: 'image', style: { image: item.href, x, y, width: TILE.image, height: TILE.image } },
      {
        type: 'text',
        style: {
          text: item.caption,
          x: x + TILE.image / 2,
          y: y + TILE.image + 3,
          align: 'center',
          fill: item.color ?? FONT.color,
          font: '11px Helvetica, Arial, sans-serif',
        },
      },
    ];
  });
  const option: ChartOption = {
    title: { text: title, left: 'center', top: 8, textStyle: { fontSize: 14 } },
    graphic: { elements },
  };
  return renderSvg(option, Math.max(cols * tileW, 320), top + rows * tileH);
}
