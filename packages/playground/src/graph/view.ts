/**
 * The graph view: a preset or a typed program is built with Scalars, its tape laid out by Graphviz
 * (WebAssembly) and drawn as SVG; the step controls walk a sweep over the drawn graph: the reverse sweep (gradients
 * of the result, latest entry first) or a forward sweep (tangents from one chosen input, in recording order). Each
 * value's derivative is shown only once the step that computes it has run.
 */
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { tapeOf } from '@tapegrad/core';
import { byId, clearError, describeError, showError } from '../alert.js';
import { type BuiltGraph, buildGraph } from './build.js';
import { type DerivativeField, GRADIENTS, fieldText, formatNumber, tapeToDot, valueId } from './dot.js';
import { ParseError } from './expression.js';
import { type ForwardSweep, describeForwardStep, forwardSweep } from './forward-steps.js';
import { PRESETS } from './presets.js';
import { type SweepStep, describeStep, sweepSteps } from './sweep-steps.js';

const HIGHLIGHTS = ['active-op', 'active-edge', 'active-input', 'active-output', 'swept'];
const REVERSE = 'reverse';
const FORWARD = 'forward:';

/** What is drawn and how it is stepped: the reverse sweep's steps, or a forward sweep's. */
type Drawn = {
  readonly root: string;
  /** Element ids of the values that have a derivative field. */
  readonly fields: readonly string[];
} & (
  | { readonly kind: 'reverse'; readonly rootId: string; readonly steps: readonly SweepStep[] }
  | { readonly kind: 'forward'; readonly sweep: ForwardSweep }
);

const stepCount = (d: Drawn): number => (d.kind === 'reverse' ? d.steps.length : d.sweep.steps.length);

/** Each value's derivative text once the steps up to `current` have run (-1: none); absent values show a dash. */
function knownAfter(d: Drawn, current: number): Map<string, string> {
  const known = new Map<string, string>();
  if (d.kind === 'reverse') {
    known.set(d.rootId, formatNumber(1));
    // A value collecting gradient from several paths shows its running sum.
    for (const s of d.steps.slice(0, current + 1)) known.set(s.ids.input, s.runningSum ?? s.product);
    return known;
  }
  for (const [id, t] of d.sweep.tangents) if (!d.sweep.steps.some((s) => s.ids.output === id)) known.set(id, formatNumber(t));
  for (const s of d.sweep.steps.slice(0, current + 1)) known.set(s.ids.output, s.tangent);
  return known;
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
  const sweepSelect = byId<HTMLSelectElement>('sweep');
  const program = byId<HTMLTextAreaElement>('program');
  const values = byId<HTMLTextAreaElement>('values');
  const stepButtons = ['step-reset', 'step-prev', 'step-next', 'step-end'].map((id) => byId<HTMLButtonElement>(id));
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

  /** The sweep choices for a graph: the reverse sweep, then a forward sweep from each input; keeps the choice if it still applies. */
  function offerSweeps(built: BuiltGraph): void {
    const chosen = sweepSelect.value;
    sweepSelect.replaceChildren(new Option(`reverse sweep: ∂${built.root.label}/∂ every value`, REVERSE));
    for (const name of built.leaves.keys())
      sweepSelect.add(new Option(`forward sweep from ${name}: ∂ every value/∂${name}`, FORWARD + name));
    sweepSelect.value = [...sweepSelect.options].some((o) => o.value === chosen) ? chosen : REVERSE;
  }

  /** Writes each value's derivative field: its number once computed by step `current`, else a dash. */
  function showDerivatives(d: Drawn): void {
    const known = knownAfter(d, current);
    const name = d.kind === 'reverse' ? 'grad' : 'tangent';
    for (const id of d.fields) {
      const texts = element(id)?.querySelectorAll('text');
      const field = texts?.[texts.length - 1];
      if (field) field.textContent = known.has(id) ? `${name} ${known.get(id)}` : fieldText(name, null);
    }
  }

  function showStep(index: number): void {
    if (drawn === null) return;
    const d = drawn;
    const total = stepCount(d);
    current = Math.max(-1, Math.min(index, total - 1));
    for (const cls of HIGHLIGHTS) graph.querySelectorAll(`.${cls}`).forEach((el) => el.classList.remove(cls));
    showDerivatives(d);
    const ids =
      d.kind === 'reverse'
        ? d.steps.map((s) => ({ op: s.ids.op, edges: [s.ids.edge], inputs: [s.ids.input], output: s.ids.output }))
        : d.sweep.steps.map((s) => s.ids);
    for (const s of ids.slice(0, Math.max(current, 0))) for (const e of s.edges) element(e)?.classList.add('swept');
    if (current < 0) {
      if (d.kind === 'reverse') {
        counter.textContent = `forward pass done · ${total} chain-rule steps to go`;
        stepText.textContent = 'Press Step to walk the reverse sweep one tape entry at a time, starting from the last op recorded.';
      } else {
        counter.textContent = `tangent of ${d.sweep.input} set to 1, of the other inputs to 0 · ${total} tape entries to go`;
        stepText.textContent = `Press Step to carry the tangents forward one tape entry at a time, in the order the ops were recorded: each value's tangent is its derivative by ${d.sweep.input}.`;
      }
      return;
    }
    const at = ids[current];
    const op = element(at.op);
    op?.classList.add('active-op');
    op?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    for (const e of at.edges) element(e)?.classList.add('active-edge');
    for (const i of at.inputs) element(i)?.classList.add('active-input');
    element(at.output)?.classList.add('active-output');
    counter.textContent = `step ${current + 1} of ${total}`;
    stepText.textContent =
      d.kind === 'reverse' ? describeStep(d.root, d.steps[current]) : describeForwardStep(d.sweep.input, d.sweep.steps[current]);
  }

  async function draw(): Promise<void> {
    clearError(error);
    try {
      const built = buildGraph(program.value, values.value);
      const { root } = built;
      offerSweeps(built);
      const steps = sweepSteps(root);
      root.backward();
      const fields = [...new Set(tapeOf(root).flatMap((r) => [...r.inputs, r.output]))].filter((n) => n.requiresGrad).map(valueId);
      let next: Drawn;
      let field: DerivativeField = GRADIENTS;
      if (sweepSelect.value === REVERSE) next = { kind: 'reverse', root: root.label, rootId: valueId(root), steps, fields };
      else {
        const sweep = forwardSweep(built, sweepSelect.value.slice(FORWARD.length));
        next = { kind: 'forward', root: root.label, sweep, fields };
        field = { name: 'tangent', of: (n) => sweep.tangents.get(valueId(n)) ?? null };
      }
      // Laid out with every final number, so each box is wide enough; the numbers not yet computed are then hidden.
      const svg = (await graphviz).dot(tapeToDot(root, field));
      graph.innerHTML = svg;
      fitPoints(graph.querySelector('svg'));
      graph.scrollTo(0, 0);
      graph.classList.remove('stale');
      drawn = next;
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
  sweepSelect.addEventListener('change', () => void draw());
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
  byId('step-end').addEventListener('click', () => showStep(drawn === null ? -1 : stepCount(drawn) - 1));

  choosePreset(PRESETS[0].id);
}
