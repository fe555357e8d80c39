/** `tapegrad start` (what `pnpm start` runs): the main job, MNIST training with the default settings. */
import { runTraining } from './mnist.js';

export async function run(args: string[]): Promise<void> {
  await runTraining('start', args);
}
