/** The training loss against the step, drawn with uPlot on a log scale. */
import uPlot from 'uplot';

export class LossChart {
  private readonly steps: number[] = [];
  private readonly losses: number[] = [];
  private readonly plot: uPlot;

  constructor(container: HTMLElement, width = 480, height = 300) {
    this.plot = new uPlot(
      {
        width,
        height,
        title: 'training loss (softmax cross-entropy, log scale)',
        scales: { x: { time: false }, y: { distr: 3 } },
        series: [{ label: 'step' }, { label: 'loss', stroke: '#4e79a7', width: 2, value: (_u, v) => (v == null ? '–' : v.toPrecision(4)) }],
        axes: [{ label: 'step' }, { label: 'loss' }],
        legend: { show: true },
      },
      [[], []],
      container,
    );
  }

  /** Starts a new curve. */
  reset(): void {
    this.steps.length = 0;
    this.losses.length = 0;
    this.plot.setData([[], []]);
  }

  /** Adds the losses of the steps that ended at `lastStep`. */
  push(lastStep: number, losses: readonly number[]): void {
    losses.forEach((loss, i) => {
      this.steps.push(lastStep - losses.length + 1 + i);
      this.losses.push(loss);
    });
    this.plot.setData([this.steps, this.losses]);
  }
}
