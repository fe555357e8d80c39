/**
 * The playground on a WebGPU adapter: headless chromium with SwiftShader's Vulkan (no GPU needed) gives the page an
 * adapter, the training worker trains the MLP on it (@tapegrad/webgpu), the page says which adapter, and the
 * network learns. Sized to a short run: SwiftShader is a CPU implementation, so the steps are slow.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { OUT, type PlaygroundSession, SWIFTSHADER_WEBGPU, openPlayground, startTraining } from './harness';

let session: PlaygroundSession;
let page: Page;

beforeAll(async () => {
  session = await openPlayground({ gpu: SWIFTSHADER_WEBGPU });
  page = session.page;
  await page.click('#tab-train');
  await page.locator('#view-train').waitFor({ state: 'visible' });
}, 900_000);

afterAll(() => session?.close());

describe('the playground on WebGPU (SwiftShader)', () => {
  it('trains the MLP on the GPU, names the adapter, and learns', async () => {
    await startTraining(page, { dataset: 'xor', hidden: '16', activation: 'tanh', optimiser: 'adam', lr: '0.05' });
    const device = page.locator('#train-device');
    await device.filter({ hasText: /on the GPU: .*swiftshader/i }).waitFor({ timeout: 60_000 });

    // Past 90% on xor: learnt on the device (a wrong kernel or a lost update would not get there).
    const handle = await page.waitForFunction(
      () => {
        const accuracy = Number(document.getElementById('train-accuracy')?.dataset.value ?? 0);
        return accuracy > 0.9 ? document.getElementById('train-step')?.textContent : false;
      },
      undefined,
      { timeout: 240_000, polling: 250 },
    );
    expect(Number(await handle.jsonValue())).toBeGreaterThan(0);
    await page.screenshot({ path: join(OUT, 'train-webgpu.png'), fullPage: true });
    if (await page.locator('#train-stop').isEnabled()) await page.click('#train-stop');
  });

  it('raised no uncaught error or console error along the way', () => {
    expect(session.pageErrors).toEqual([]);
  });
});
