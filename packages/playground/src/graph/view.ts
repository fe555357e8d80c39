/**
 * The graph view: a preset or a typed program is built with Scalars, its tape laid out by Graphviz
 * (WebAssembly) and drawn as SVG; the step controls walk the reverse sweep over the drawn graph.
 */
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { byId, clearError, describeError, showError } from '../alert.js';
import { buildGraph } from './build.js';
import { tapeToDot } from './dot.js';
import { ParseError } from './expression.js';
import { PRESETS } from './presets.js';
import { type SweepStep, describeStep, sweepSteps } from './sweep-steps.js';

const HIGHLIGHTS = ['active-op', 'active-edge', 'active-input', 'active-output', 'swept'];

interface Drawn {
  readonly root: string;
  readonly steps: readonly SweepStep[];
}

/** A parse error with its place, and the offending line with a caret under the column. */
function errorMessage(e: unknown): string {
  if (!(e instanceof ParseError)) return describeError(e);
  const { line, column } = e.location;
  const where = e.field === 'values' ? 'Values' : 'Expression';
  const text = e.source.split('\n')[line - 1];
  return `${where}, line ${line}, column ${column}: ${e.message}\n  ${text}\n  ${' '.repeat(column - 1)}^`;
}

/** Graphviz sizes the SVG in points; draw one point per CSS pixel so big tapes stay compact but readable. */
function fitPoints(svg: SVGSVGElement | null): void {
  if (svg === null) return;
  for (const side of ['width', 'height'] as const) {
    const pt = parseFloat(svg.getAttribute(side) ?? '');
    if (Number.isFinite(pt)) svg.style[side] = `${pt}px`;
  }
}

export function mountGraphView(): void {
  const form = byId<HTMLFormElement>('graph-form');
  const presetSelect = byId<HTMLSelectElement>('preset');
  const program = byId<HTMLTextAreaElement>('program');
  const values = byId<HTMLTextAreaElement>('values');
  const stepButtons = ['step-reset', 'step-prev', 'step-next'].map((id) => byId<HTMLButtonElement>(id));
  const note = byId('preset-note');
  const error = byId('graph-error');
  const graph = byId('graph');
  const counter = byId('step-counter');
  const stepText = byId('step-text');
  const graphviz = Graphviz.load();

  let drawn: Drawn | null = null;
  let current = -1;

  for (const p of PRESETS) presetSelect.add(new Option(p.title, p.id));
  presetSelect.add(new Option('(your own)', 'custom'));

  const element = (id: string): Element | null => graph.querySelector(`[id="${id}"]`);

  function showStep(index: number): void {
    if (drawn === null) return;
    current = Math.max(-1, Math.min(index, drawn.steps.length - 1));
    for (const cls of HIGHLIGHTS) graph.querySelectorAll(`.${cls}`).forEach((el) => el.classList.remove(cls));
    for (const s of drawn.steps.slice(0, Math.max(current, 0))) element(s.ids.edge)?.classList.add('swept');
    if (current < 0) {
      counter.textContent = `forward pass done · ${drawn.steps.length} chain-rule steps to go`;
      stepText.textContent = 'Press Step to walk the reverse sweep one tape entry at a time, starting from the last op recorded.';
      return;
    }
    const s = drawn.steps[current];
    const op = element(s.ids.op);
    op?.classList.add('active-op');
    op?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    element(s.ids.edge)?.classList.add('active-edge');
    element(s.ids.input)?.classList.add('active-input');
    element(s.ids.output)?.classList.add('active-output');
    counter.textContent = `step ${current + 1} of ${drawn.steps.length}`;
    stepText.textContent = describeStep(drawn.root, s);
  }

  async function draw(): Promise<void> {
    clearError(error);
    try {
      const { root } = buildGraph(program.value, values.value);
      const steps = sweepSteps(root);
      root.backward();
      const svg = (await graphviz).dot(tapeToDot(root));
      graph.innerHTML = svg;
      fitPoints(graph.querySelector('svg'));
      graph.scrollTo(0, 0);
      graph.classList.remove('stale');
      drawn = { root: root.label, steps };
      showStep(-1);
    } catch (e) {
      showError(error, errorMessage(e));
      // The old drawing stays, dimmed, so the page is never blank; it can no longer be stepped.
      graph.classList.add('stale');
      drawn = null;
      counter.textContent = 'fix the input above to draw the tape again';
      stepText.textContent = '';
    }
    for (const b of stepButtons) b.disabled = drawn === null;
  }

  function choosePreset(id: string): void {
    const p = PRESETS.find((x) => x.id === id);
    if (p === undefined) return;
    program.value = p.program;
    values.value = p.values;
    note.textContent = p.note;
    void draw();
  }

  presetSelect.addEventListener('change', () => choosePreset(presetSelect.value));
  for (const field of [program, values]) {
    field.addEventListener('input', () => {
      presetSelect.value = 'custom';
      note.textContent = '';
    });
    field.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void draw();
  });
  byId('step-next').addEventListener('click', () => showStep(current + 1));
  byId('step-prev').addEventListener('click', () => showStep(current - 1));
  byId('step-reset').addEventListener('click', () => showStep(-1));

  choosePreset(PRESETS[0].id);
}
