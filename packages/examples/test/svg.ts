/** Reading the charts' SVG in tests: the text shown, and the drawn lines with their points, from the parsed document. */
import { DOMParser, type Element } from '@xmldom/xmldom';

export interface ParsedSvg {
  readonly width: number;
  readonly height: number;
  /** Every <text> element's content with its position (from `x`/`y` and a translate transform). */
  readonly texts: Array<{ text: string; x: number; y: number }>;
  /** Every <path> as its stroke colour and the points of its M/L commands. */
  readonly paths: Array<{ stroke: string | null; points: Array<[number, number]> }>;
  /** How many <image> elements there are. */
  readonly images: number;
}

function translate(e: Element): [number, number] {
  const m = /translate\(([-\d.e]+)[ ,]+([-\d.e]+)\)/.exec(e.getAttribute('transform') ?? '');
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

export function parseSvg(svg: string): ParsedSvg {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, message) => void (level !== 'warning' && errors.push(message)) }).parseFromString(
    svg,
    'image/svg+xml',
  );
  if (errors.length > 0) throw new Error(`not well-formed SVG: ${errors.join('; ')}`);
  const root = doc.documentElement!;
  if (root.nodeName !== 'svg') throw new Error(`the root element is <${root.nodeName}>, not <svg>`);
  const all = (tag: string) => Array.from(doc.getElementsByTagName(tag));
  return {
    width: Number(root.getAttribute('width')),
    height: Number(root.getAttribute('height')),
    texts: all('text').map((e) => {
      const [tx, ty] = translate(e);
      return { text: e.textContent ?? '', x: tx + Number(e.getAttribute('x') ?? 0), y: ty + Number(e.getAttribute('y') ?? 0) };
    }),
    paths: all('path').map((e) => ({
      stroke: e.getAttribute('stroke'),
      points: Array.from(
        (e.getAttribute('d') ?? '').matchAll(/[ML]\s*([-\d.e]+)[ ,]+([-\d.e]+)/g),
        (m) => [Number(m[1]), Number(m[2])] as [number, number],
      ),
    })),
    images: all('image').length,
  };
}

/** The drawn lines of colour `stroke` whose points all lie at or below `top` (inside a plot, not a legend icon). */
export function linesOf(svg: ParsedSvg, stroke: string, top: number): Array<Array<[number, number]>> {
  return svg.paths.filter((p) => p.stroke === stroke && p.points.length >= 2 && p.points.every(([, y]) => y >= top)).map((p) => p.points);
}
