import * as tf from '@tensorflow/tfjs';
import { type FilteredWarn, isTfjsNodeAdvert, withoutTfjsNodeAdvert } from './quiet-tfjs-advert';

test('the filter drops the advertisement TensorFlow.js really prints, and nothing else', async () => {
  // The message as this tfjs version prints it: console.warn replaced (past the setup's filter) while the CPU
  // backend makes its first tensor in this test file.
  const seen: unknown[][] = [];
  const installed = console.warn;
  console.warn = (...args: unknown[]) => void seen.push(args);
  try {
    await tf.setBackend('cpu');
    tf.tensor([1, 2]).dispose();
  } finally {
    console.warn = installed;
  }
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.filter(isTfjsNodeAdvert)).toHaveLength(1);

  const sink: unknown[][] = [];
  const warn = withoutTfjsNodeAdvert((...args) => void sink.push(args));
  for (const args of seen) warn(...args);
  warn('Platform node has already been set. Overwriting the platform with node.');
  warn('a warning', { with: 'details' });
  warn(String(seen.find(isTfjsNodeAdvert)), 'and a second argument');
  expect(sink.map((args) => args.length)).toEqual([...seen.filter((args) => !isTfjsNodeAdvert(args)).map((a) => a.length), 1, 2, 2]);
});

test('the test setup (jest.setup.ts) has installed the filter', () => {
  expect((console.warn as Partial<FilteredWarn>).dropsTfjsNodeAdvert).toBe(true);
});
