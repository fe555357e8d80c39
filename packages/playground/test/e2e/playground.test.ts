/** @jest-environment ./packages/onnx/test/ort-environment.ts */
/**
 * The built playground in a real browser: the apple/orange tape with seed 004's gradients, the reverse
 * sweep stepped entry by entry, bad input shown on the page, the spiral trained in the page past 95%, the
 * trained network downloaded as model.onnx, which ONNX Runtime runs (the environment shares typed arrays with
 * onnxruntime-node's binding; see ort-environment.ts), and the CNN trained on the digits past 85% held-out accuracy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Page } from 'playwright-core';
import { makeDataset } from '../../src/train/datasets';
import { OUT, type PlaygroundSession, openPlayground, startTraining } from './harness';

let session: PlaygroundSession;
let page: Page;

beforeAll(async () => {
  session = await openPlayground();
  page = session.page;
}, 900_000);

afterAll(() => session?.close());

const svgTexts = () => page.$$eval('#graph svg text', (els) => els.map((e) => (e.textContent ?? '').trim()));
const stepText = () => page.locator('#step-text').innerText();
const screenshot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });

async function draw(program: string, values: string): Promise<void> {
  await page.fill('#program', program);
  await page.fill('#values', values);
  await page.click('#run');
}

/** A value node's three fields as drawn: name, value, and its gradient (or tangent). */
async function fields(name: string): Promise<string[]> {
  const texts = await svgTexts();
  return texts.slice(texts.indexOf(name), texts.indexOf(name) + 3);
}
const derivativeOf = async (name: string) => (await fields(name))[2];

describe('graph view', () => {
  it('draws the apple/orange tape with the gradients printed in seed 004, each only once the sweep has computed it', async () => {
    await page.waitForSelector('#graph svg text');
    let texts = await svgTexts();
    expect(texts).toContain('value 715');
    for (const name of ['apple', 'apple_num', 'orange', 'orange_num', 'tax', 'price']) expect(texts).toContain(name);
    expect(texts.filter((t) => /^(mul|add) #\d$/.test(t))).toHaveLength(4);
    // Before the sweep, only the seed d price/d price = 1 is known.
    expect(texts.filter((t) => t.startsWith('grad '))).toEqual(expect.arrayContaining(['grad 1', 'grad –']));
    expect(texts.filter((t) => t.startsWith('grad ') && t !== 'grad –')).toEqual(['grad 1']);
    await page.click('#step-end');
    texts = await svgTexts();
    // Seed 004's printed backward pass: apple 2.2, apple_num 110, orange 3.3, orange_num 165, tax 650, all_price 1.1.
    for (const g of ['2.2', '110', '3.3', '165', '650', '1.1']) expect(texts).toContain(`grad ${g}`);
    expect(texts).not.toContain('grad –');
    await screenshot('graph-view');
    await page.click('#step-reset');
  });

  it('steps the reverse sweep, highlighting each entry and its chain-rule product', async () => {
    await page.click('#step-next');
    expect(await page.locator('#step-counter').innerText()).toBe('step 1 of 8');
    expect(await page.locator('#graph .active-op text').textContent()).toBe('mul #4');
    // d price/d all_price = upstream 1 x local (tax = 1.1)
    expect(await stepText()).toBe('#4 mul: ∂price/∂all_price = ∂price/∂price × ∂price/∂all_price = 1 × 1.1 = 1.1');
    expect(await derivativeOf('all_price')).toBe('grad 1.1');
    expect(await derivativeOf('tax')).toBe('grad –');
    expect(await derivativeOf('apple')).toBe('grad –');

    await page.click('#step-next');
    expect(await stepText()).toBe('#4 mul: ∂price/∂tax = ∂price/∂price × ∂price/∂tax = 1 × 650 = 650');
    expect(await page.locator('#graph .active-input text').first().textContent()).toBe('tax');

    for (let i = 0; i < 5; i++) await page.click('#step-next');
    expect(await page.locator('#step-counter').innerText()).toBe('step 7 of 8');
    expect(await page.locator('#graph .active-op text').textContent()).toBe('mul #1');
    // The book's MulLayer backward: d apple = dout x apple_num = 1.1 x 2.
    expect(await stepText()).toBe('#1 mul: ∂price/∂apple = ∂price/∂apple_price × ∂apple_price/∂apple = 1.1 × 2 = 2.2');
    expect(await derivativeOf('apple')).toBe('grad 2.2');
    expect(await derivativeOf('apple_num')).toBe('grad –');
    expect(await page.locator('#graph .active-edge').count()).toBe(1);
    expect(await page.locator('#graph .swept').count()).toBe(6);
    await screenshot('graph-step');

    await page.click('#step-prev');
    expect(await page.locator('#step-counter').innerText()).toBe('step 6 of 8');
    expect(await derivativeOf('apple')).toBe('grad –');
    await page.click('#step-reset');
    expect(await page.locator('#graph .active-op').count()).toBe(0);
    expect(await derivativeOf('tax')).toBe('grad –');
  });

  it('steps a forward sweep from a chosen input: tangents flow with the values, in recording order', async () => {
    await page.selectOption('#sweep', 'forward:apple');
    await page.waitForFunction(() => [...document.querySelectorAll('#graph svg text')].some((t) => t.textContent === 'tangent 1'));
    expect(await page.locator('#step-counter').innerText()).toBe(
      'tangent of apple set to 1, of the other inputs to 0 · 4 tape entries to go',
    );
    expect(await derivativeOf('apple')).toBe('tangent 1');
    for (const input of ['apple_num', 'orange', 'orange_num', 'tax']) expect(await derivativeOf(input)).toBe('tangent 0');
    for (const value of ['apple_price', 'orange_price', 'all_price', 'price']) expect(await derivativeOf(value)).toBe('tangent –');

    await page.click('#step-next');
    expect(await page.locator('#step-counter').innerText()).toBe('step 1 of 4');
    expect(await page.locator('#graph .active-op text').textContent()).toBe('mul #1');
    expect(await page.locator('#graph .active-edge').count()).toBe(2);
    // d apple_price/d apple = apple_num = 2, from the inputs' tangents 1 and 0
    expect(await stepText()).toBe('#1 mul: ∂apple_price/∂apple = 2, from ∂apple/∂apple = 1 and ∂apple_num/∂apple = 0');
    expect(await derivativeOf('apple_price')).toBe('tangent 2');
    expect(await derivativeOf('price')).toBe('tangent –');

    for (let i = 0; i < 3; i++) await page.click('#step-next');
    expect(await stepText()).toBe('#4 mul: ∂price/∂apple = 2.2, from ∂all_price/∂apple = 2 and ∂tax/∂apple = 0');
    // Seed 004's d price/d apple, the reverse sweep's number, by forward mode.
    expect(await derivativeOf('price')).toBe('tangent 2.2');
    expect(await page.locator('#graph .swept').count()).toBe(6);
    await screenshot('graph-forward');

    // Another input: d price/d tax = all_price = 650, as seed 004 prints.
    await page.selectOption('#sweep', 'forward:tax');
    await page.waitForFunction(() => document.querySelector('#step-counter')?.textContent?.startsWith('tangent of tax'));
    await page.click('#step-end');
    expect(await derivativeOf('price')).toBe('tangent 650');
    expect(await derivativeOf('apple_price')).toBe('tangent 0');

    await page.selectOption('#sweep', 'reverse');
    await page.waitForFunction(() => document.querySelector('#step-counter')?.textContent?.includes('chain-rule steps to go'));
    expect(await derivativeOf('tax')).toBe('grad –');
  });

  it('shows a parse error on the page with its position', async () => {
    await draw('a * (b + ', 'a=1, b=2');
    const alert = page.locator('#graph-error[role="alert"]');
    await alert.waitFor({ state: 'visible' });
    expect((await alert.innerText()).split('\n')).toEqual([
      "Expression, line 1, column 10: expected a number, a name or '(', found the end of the input",
      '  a * (b + ',
      '           ^',
    ]);
    expect(await page.locator('#step-next').isDisabled()).toBe(true);
    await screenshot('graph-error');
  });

  it("draws micrograd's classic expression with micrograd's own results", async () => {
    await page.selectOption('#preset', 'micrograd');
    // micrograd's test_sanity_check/README: g = 24.7041, dg/da = 138.8338, dg/db = 645.5773 (shown to 6 digits)
    await page.waitForFunction(() => [...document.querySelectorAll('#graph svg text')].some((t) => t.textContent === 'value 24.7041'));
    await page.click('#step-end');
    const texts = await svgTexts();
    const leaf = (name: string) => texts.slice(texts.indexOf(name), texts.indexOf(name) + 3);
    expect(leaf('a')).toEqual(['a', 'value -4', 'grad 138.834']);
    expect(leaf('b')).toEqual(['b', 'value 2', 'grad 645.577']);
    await screenshot('graph-micrograd');
  });

  it('names an unknown variable, then draws again once the input is fixed', async () => {
    await draw('a * q', 'a=1');
    expect(await page.locator('#graph-error').innerText()).toMatch(/^Expression, line 1, column 5: unknown variable 'q'/);
    await draw('a*b + tanh(c)', 'a=2, b=-3, c=0.5');
    await page.locator('#graph-error').waitFor({ state: 'hidden' });
    await page.waitForFunction(() => [...document.querySelectorAll('#graph svg text')].some((t) => t.textContent?.startsWith('tanh #')));
    await page.click('#step-end');
    // d/da (a*b) = b = -3, d/db = a = 2, d/dc tanh(c) = 1 - tanh(0.5)^2 = 0.786448 (6 significant digits)
    await page.waitForFunction(() => [...document.querySelectorAll('#graph svg text')].some((t) => t.textContent === 'grad 0.786448'));
    const texts = await svgTexts();
    expect(texts).toEqual(expect.arrayContaining(['grad -3', 'grad 2', 'grad 0.786448']));
  });
});

describe('train view', () => {
  beforeAll(async () => {
    await page.click('#tab-train');
    await page.locator('#view-train').waitFor({ state: 'visible' });
  });

  it('refuses a layer size of 0 with a message on the page', async () => {
    await page.fill('#hidden', '32, 0');
    await page.click('#train-start');
    const alert = page.locator('#train-error[role="alert"]');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.innerText()).toMatch(/Hidden layer 2 has size '0'.*at least 1/);
  });

  it('trains the spiral in the page past 95% accuracy, drawing the boundary and the loss curve', async () => {
    await startTraining(page, { dataset: 'spiral', hidden: '32, 32', activation: 'relu', optimiser: 'adam', lr: '0.01' });

    const handle = await page.waitForFunction(
      () => {
        const shown = document.getElementById('train-accuracy')?.textContent ?? '';
        const percent = parseFloat(shown);
        return percent > 95 ? shown : false;
      },
      undefined,
      { timeout: 240_000, polling: 250 },
    );
    const shown = (await handle.jsonValue()) as string;
    expect(parseFloat(shown)).toBeGreaterThan(95);
    expect(Number(await page.locator('#train-step').innerText())).toBeGreaterThan(0);

    // Training ran off the page's thread, in a Web Worker, and the page still renders frames. The page is
    // cross-origin isolated, so the training worker runs one thread per core: itself and its helper workers.
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    await page.locator('#train-threads', { hasText: `threads: ${cores}` }).waitFor();
    // This browser runs with --disable-gpu: no WebGPU adapter, so training ran on the CPU, and the page says so.
    await page.locator('#train-device', { hasText: 'on the CPU' }).waitFor();
    const helpers = Array.from({ length: cores - 1 }, () => expect.stringMatching(/\/assets\/browser-worker-[\w-]+\.js$/));
    expect(page.workers().map((w) => w.url())).toEqual([expect.stringMatching(/\/assets\/worker-[\w-]+\.js$/), ...helpers]);
    expect(await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done('frame'))))).toBe('frame');

    // The boundary is drawn: the canvas holds the tints of all three classes, not one flat colour.
    const tints = await page.evaluate(() => {
      const canvas = document.getElementById('boundary') as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const colours = new Set<string>();
      for (let i = 0; i < data.length; i += 4 * 97) colours.add(`${data[i] >> 4},${data[i + 1] >> 4},${data[i + 2] >> 4}`);
      return colours.size;
    });
    expect(tints).toBeGreaterThan(10);
    expect(await page.locator('#loss-chart canvas').count()).toBeGreaterThan(0);
    await screenshot('train-view');
    if (await page.locator('#train-stop').isEnabled()) await page.click('#train-stop');
  });

  it('downloads the trained network as model.onnx, which ONNX Runtime loads and which classifies the spiral as well', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#train-export')]);
    expect(download.suggestedFilename()).toBe('model.onnx');
    const bytes = readFileSync(await download.path());
    await page.locator('#train-status', { hasText: `downloaded model.onnx (${bytes.length.toLocaleString('en-US')} bytes` }).waitFor();
    // Loading is ONNX Runtime's validation of the file; then it must classify the page's data set as the page did.
    const session = await ort.InferenceSession.create(bytes);
    expect([session.inputNames, session.outputNames]).toEqual([['point'], ['logits']]);
    const data = makeDataset('spiral', 1);
    const { logits } = await session.run({ point: new ort.Tensor('float32', Float32Array.from(data.x), [data.count, 2]) });
    await session.release();
    expect([...logits.dims]).toEqual([data.count, 3]);
    const scores = logits.data as Float32Array;
    let right = 0;
    for (let i = 0; i < data.count; i++) {
      const row = Array.from(scores.subarray(3 * i, 3 * i + 3));
      if (row.indexOf(Math.max(...row)) === data.y[i]) right++;
    }
    expect(right / data.count).toBeGreaterThan(0.95);
  });

  it('refuses the CNN on 2-D points with a message on the page', async () => {
    await page.selectOption('#model', 'cnn');
    expect(await page.inputValue('#dataset')).toBe('digits'); // choosing the CNN picks the digits
    await page.selectOption('#dataset', 'moons');
    await page.click('#train-start');
    const alert = page.locator('#train-error[role="alert"]');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.innerText()).toMatch(/The CNN reads 28×28 images: choose the digits data set/);
  });

  it('trains the CNN on the digits live, past 85% on the held-out ones, framing each shown digit right or wrong', async () => {
    await page.selectOption('#model', 'cnn');
    await page.selectOption('#dataset', 'digits');
    expect(await page.inputValue('#lr')).toBe('0.003');
    expect(await page.isDisabled('#hidden')).toBe(true); // the CNN's layers are fixed
    await page.click('#train-start');
    await page.locator('#train-error').waitFor({ state: 'hidden' });
    await page.locator('#train-status', { hasText: 'training on 400 digits, tested on 200 held out: CNN conv5x5(8)' }).waitFor();
    const handle = await page.waitForFunction(
      () => {
        const shown = document.getElementById('train-accuracy')?.textContent ?? '';
        return parseFloat(shown) > 85 ? shown : false;
      },
      undefined,
      { timeout: 300_000, polling: 500 },
    );
    expect(parseFloat((await handle.jsonValue()) as string)).toBeGreaterThan(85);
    // The grid of held-out digits: most frames green (right), the digits' white ink inside them.
    const frames = await page.evaluate(() => {
      const canvas = document.getElementById('boundary') as HTMLCanvasElement;
      const ctx = canvas.getContext('2d')!;
      const cell = Math.floor(canvas.width / 10);
      let green = 0;
      let red = 0;
      for (let i = 0; i < 100; i++) {
        const [r, g, b] = ctx.getImageData((i % 10) * cell + 2, Math.floor(i / 10) * cell + 2, 1, 1).data;
        if (r === 46 && g === 139 && b === 87) green++;
        if (r === 214 && g === 39 && b === 40) red++;
      }
      return { green, red };
    });
    expect(frames.green + frames.red).toBe(100);
    expect(frames.green).toBeGreaterThan(75);
    await screenshot('train-cnn-digits');
    if (await page.locator('#train-stop').isEnabled()) await page.click('#train-stop');
  });

  it('raised no uncaught error or console error along the way', () => {
    expect(session.pageErrors).toEqual([]);
  });
});
