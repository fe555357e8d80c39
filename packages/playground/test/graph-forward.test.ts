import { buildGraph } from '../src/graph/build';
import { describeForwardStep, forwardSweep } from '../src/graph/forward-steps';
import { PRESETS } from '../src/graph/presets';

function built(id: string) {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`no preset ${id}`);
  return buildGraph(p.program, p.values);
}

describe('the forward sweep the page walks', () => {
  it("gives seed 004's printed derivatives, one input at a time, as the last step's tangent", () => {
    // Seed 004's printed backward pass: apple 2.2, apple_num 110.00000000000001, orange 3.3000000000000003, orange_num 165, tax 650.
    const book: Record<string, number> = {
      apple: 2.2,
      apple_num: 110.00000000000001,
      orange: 3.3000000000000003,
      orange_num: 165,
      tax: 650,
    };
    for (const [input, d] of Object.entries(book)) {
      const graph = built('apple-orange');
      const sweep = forwardSweep(graph, input);
      expect(sweep.tangents.get(`v${graph.root.id}`)).toBe(d);
    }
  });

  it('steps the tape in recording order, each output tangent from its inputs, by the closed forms', () => {
    const sweep = forwardSweep(built('apple-orange'), 'apple');
    // d/d apple: apple_price = apple * apple_num -> 2; orange_price -> 0; all_price -> 2; price = all_price * tax -> 2.2
    expect(sweep.steps.map((s) => [s.position, s.op, s.output, s.tangent])).toEqual([
      [1, 'mul', 'apple_price', '2'],
      [2, 'mul', 'orange_price', '0'],
      [3, 'add', 'all_price', '2'],
      [4, 'mul', 'price', '2.2'],
    ]);
    expect(sweep.steps.map((s) => describeForwardStep('apple', s))).toEqual([
      '#1 mul: ∂apple_price/∂apple = 2, from ∂apple/∂apple = 1 and ∂apple_num/∂apple = 0',
      '#2 mul: ∂orange_price/∂apple = 0, from ∂orange/∂apple = 0 and ∂orange_num/∂apple = 0',
      '#3 add: ∂all_price/∂apple = 2, from ∂apple_price/∂apple = 2 and ∂orange_price/∂apple = 0',
      '#4 mul: ∂price/∂apple = 2.2, from ∂all_price/∂apple = 2 and ∂tax/∂apple = 0',
    ]);
    expect(sweep.steps[3].ids.edges).toHaveLength(2);
  });

  it("matches micrograd's printed derivatives and the reverse sweep on every input of its classic expression", () => {
    const printed: Record<string, number> = { a: 138.8338, b: 645.5773 };
    for (const input of ['a', 'b']) {
      const graph = built('micrograd');
      const tangent = forwardSweep(graph, input).tangents.get(`v${graph.root.id}`)!;
      expect(tangent).toBeCloseTo(printed[input], 4);
      graph.root.backward();
      expect(tangent).toBeCloseTo(graph.leaves.get(input)!.grad, 10);
    }
  });

  it('shows only the inputs that carry a tangent (not constants), and refuses an unknown input', () => {
    const graph = buildGraph('a*2 + tanh(a)', 'a=0.5');
    const steps = forwardSweep(graph, 'a').steps;
    expect(steps[0].inputs.map((x) => x.name)).toEqual(['a']);
    // d/da (2a + tanh a) = 2 + 1 - tanh(a)^2
    expect(Number(steps[steps.length - 1].tangent)).toBeCloseTo(3 - Math.tanh(0.5) ** 2, 5);
    expect(() => forwardSweep(graph, 'q')).toThrow(/'q' is not an input of the graph \(a\)/);
  });
});
