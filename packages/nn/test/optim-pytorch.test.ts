// Replays optim.json: optimiser trajectories under hand-set gradients (a parameter whose gradients start late,
// param groups with their own options, AMSGrad), every scheduler's learning rates (and one-cycle's momentum),
// and clipGradValue, against PyTorch 1.13 in float64. pytorch/optim.py produced the file. The optimisers run on
// both CPU paths: nn's loops and core's WebAssembly kernels.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KernelBackend, type Tensor, getKernelBackend, setKernelBackend, tensor } from '@tapegrad/core';
import {
  AdaGrad,
  Adam,
  AdamW,
  CosineAnnealingLR,
  ExponentialLR,
  type LRScheduler,
  LinearLR,
  OneCycleLR,
  type Optimizer,
  RMSprop,
  ReduceLROnPlateau,
  SGD,
  SequentialLR,
  clipGradValue,
} from '@tapegrad/nn';

type Grads = Array<[number[] | null, number[] | null]>;
interface OptimizerCase {
  readonly name: string;
  readonly optimizer: string;
  readonly options: Record<string, unknown>;
  readonly groups: Array<Record<string, unknown> & { params: 'w' | 'b' }> | null;
  readonly w0: number[];
  readonly b0: number[];
  readonly grads: Grads;
  readonly params: Array<[number[], number[]]>;
}
interface SchedulerCase {
  readonly name: string;
  readonly scheduler: string;
  readonly optimizer: string;
  readonly options: Record<string, unknown>;
  readonly optOptions: Record<string, unknown> & { groups?: Array<Record<string, unknown>> };
  readonly metrics: number[] | null;
  readonly steps: number;
  readonly trace: Array<Array<[number, number | null]>>;
}

const reference = JSON.parse(readFileSync(join(__dirname, 'pytorch', 'optim.json'), 'utf8')) as {
  optimizers: OptimizerCase[];
  schedulers: SchedulerCase[];
  clipGradValue: { clipValue: number; grads: number[][]; clipped: number[][] };
};

const OPTIMIZERS: Record<string, new (params: any, options: any) => Optimizer<any>> = { SGD, AdaGrad, RMSprop, Adam, AdamW };

// 'js' runs nn's TypeScript loops, 'wasm' the WebAssembly update module (core's runOptimizerKernel), however small.
describe.each(['js', 'wasm'] as const)('optimisers against PyTorch (float64, gradients set by hand, the %s backend)', (backend) => {
  let previous: KernelBackend;
  beforeAll(() => {
    previous = getKernelBackend();
    setKernelBackend(backend);
  });
  afterAll(() => setKernelBackend(previous));

  it.each(reference.optimizers.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const w = tensor(c.w0, { requiresGrad: true });
    const b = tensor(c.b0, { requiresGrad: true });
    const params = c.groups ? c.groups.map((g) => ({ ...g, params: g.params === 'w' ? [w] : [b] })) : [w, b];
    const opt = new OPTIMIZERS[c.optimizer](params, c.options);
    c.grads.forEach(([gw, gb], i) => {
      opt.zeroGrad();
      w.grad = gw && tensor(gw);
      b.grad = gb && tensor(gb);
      opt.step();
      expect([...w.data, ...b.data]).toBeAllClose([...c.params[i][0], ...c.params[i][1]], { rtol: 1e-12, atol: 1e-15 });
    });
  });
});

function makeScheduler(c: SchedulerCase, opt: Optimizer): LRScheduler | ReduceLROnPlateau {
  const o = c.options as never;
  switch (c.scheduler) {
    case 'LinearLR':
      return new LinearLR(opt, o);
    case 'ExponentialLR':
      return new ExponentialLR(opt, o);
    case 'OneCycleLR':
      return new OneCycleLR(opt, o);
    case 'ReduceLROnPlateau':
      return new ReduceLROnPlateau(opt, o);
    case 'SequentialLR': {
      const { warmup, cosine, milestones } = c.options as { warmup: object; cosine: { tMax: number }; milestones: number[] };
      return new SequentialLR(opt, [new LinearLR(opt, warmup), new CosineAnnealingLR(opt, cosine)], milestones);
    }
  }
  throw new Error(`no scheduler ${c.scheduler}`);
}

describe('schedulers against PyTorch: the learning rate (and momentum) after construction and each step', () => {
  it.each(reference.schedulers.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const w = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const { groups, ...defaults } = c.optOptions;
    const params = groups ? groups.map((g, i) => ({ ...g, params: [[w, b][i]] })) : [w, b];
    const opt = c.optimizer === 'Adam' ? new Adam(params, defaults) : new SGD(params, defaults);
    const sched = makeScheduler(c, opt);
    const snapshot = () =>
      opt.paramGroups.map((g) => {
        const m = 'betas' in g ? (g.betas as readonly number[])[0] : (g as unknown as { momentum: number }).momentum;
        return [g.lr, m];
      });
    const trace = [snapshot()];
    for (let i = 0; i < c.steps; i++) {
      if (sched instanceof ReduceLROnPlateau) sched.step(c.metrics![i]);
      else sched.step();
      trace.push(snapshot());
    }
    expect(trace.flat(2)).toBeAllClose(c.trace.flat(2), { rtol: 1e-13, atol: 1e-16 });
  });
});

describe('clipGradValue against PyTorch', () => {
  it('clamps every element to [-clipValue, clipValue]', () => {
    const { clipValue, grads, clipped } = reference.clipGradValue;
    const params: Tensor[] = grads.map((g) => tensor(new Array(g.length).fill(0), { requiresGrad: true }));
    params.forEach((p, i) => (p.grad = tensor(grads[i])));
    clipGradValue(params, clipValue);
    expect(params.map((p) => Array.from(p.grad!.data))).toEqual(clipped);
  });
});
