import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../../shared/report/index.js';
import { badFixture, FIXTURES_DIR, fixture } from '../../fixtures/index.js';
import {
  createPipelineHarness,
  expectOutcome,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

/** Debian's Chromium (apt-get install chromium), never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTEFACT = join(process.cwd(), 'test-artifacts', 'report.png');
const HOSTILE = '<script>alert("pwned")</script><img src=x onerror=alert(1)>';

describe('the report page in headless Chromium', () => {
  let h: PipelineHarness;
  let browser: Browser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await createPipelineHarness();
    await h.dropFile('pets/chelsea.png', fixture('chelsea.png'));
    await h.drop('pets/chelsea.json', {
      labels: { collection: HOSTILE },
      stages: [
        { name: 'light', prompt: 'Make the photo warmer', keep: ['the eyes', HOSTILE] },
        { name: 'finish', prompt: 'Add a vignette', seed: 42 },
      ],
      output: { formats: ['webp', 'jpeg'], sizes: { thumb: { maxSize: 128 } } },
    });
    ids.cat = expectOutcome(await h.arrive('pets/chelsea.png'), 'succeeded').jobId;
    await h.dropFile('shop/_scenes/brick.png', fixture('brick.png'));
    await h.dropFile('shop/cup.png', join(FIXTURES_DIR, 'local', 'product-on-white.png'));
    await h.drop('shop/cup.json', {
      prompt: 'Place the subject of image 1 into the scene of image 2',
      references: ['_scenes/brick.png'],
    });
    ids.cup = expectOutcome(await h.arrive('shop/cup.png'), 'succeeded').jobId;
    // An output fed back in: the page links it to the job that made it.
    await h.drop('again/cat.jpg', await h.result(`pets/chelsea/${ids.cat}/final.jpg`));
    await h.drop('again/cat.json', { prompt: 'black and white' });
    ids.again = expectOutcome(await h.arrive('again/cat.jpg'), 'succeeded').jobId;
    await h.dropFile('bad/notes.jpg', badFixture('text.jpg'));
    await h.drop('bad/notes.json', { prompt: 'brighter' });
    ids.bad = expectOutcome(await h.arrive('bad/notes.jpg'), 'failed').jobId;
    await h.dropFile('bad/photo.png', fixture('logo.png'));
    await h.drop('bad/photo.json', { prompt: 'brighter', colour: 'red' });
    ids.invalid = expectOutcome(await h.arrive('bad/photo.png'), 'failed').jobId;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('loads with no console errors and no failed requests, shows every job and errors with their codes', async () => {
    const written = await writeReport({ lineage: h.lineage, resultsDir: h.resultsDir });
    expect(written).toMatchObject({ jobs: 5, counts: { succeeded: 3, failed: 2 } });
    const html = await readFile(written.file, 'utf8');
    expect(html).not.toContain('<script');

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => problems.push(`dialog: ${d.message()}`));
    page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(written.file).href, { waitUntil: 'load' });
    await page.evaluate(async () => {
      const images = Array.from(document.images);
      for (const img of images) img.loading = 'eager';
      await Promise.all(images.map((img) => img.decode().catch(() => undefined)));
    });

    const base = pathToFileURL(h.resultsDir).href;
    expect(requests.filter((u) => !u.startsWith(base))).toEqual([]);
    const broken = await page.$$eval('img', (imgs) =>
      imgs.filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.getAttribute('src')),
    );
    expect(broken).toEqual([]);
    expect(await page.locator('img').count()).toBeGreaterThanOrEqual(3 * 3);

    const jobs = page.locator('article.job');
    expect(await jobs.count()).toBe(5);
    const newestFirst = await jobs.evaluateAll((els) => els.map((e) => e.id));
    expect(newestFirst).toEqual([ids.invalid, ids.bad, ids.again, ids.cup, ids.cat].map((id) => `job-${id}`));
    expect(await page.locator(`#job-${ids.bad} .error-code`).textContent()).toBe('IMAGE_NOT_AN_IMAGE');
    expect(await page.locator(`#job-${ids.invalid} .error-code`).textContent()).toBe('REQUEST_INVALID');
    expect(await page.locator(`#job-${ids.invalid} .error-message`).textContent()).toContain('colour');

    const cat = page.locator(`#job-${ids.cat}`);
    expect(await cat.locator('tr.stage').count()).toBe(2);
    expect(await cat.locator('.labels').textContent()).toContain(HOSTILE);
    expect(await cat.locator('.effective').first().textContent()).toContain(
      `Keep the eyes and ${HOSTILE} unchanged`,
    );
    expect(await cat.locator('td.seed').nth(1).textContent()).toBe('42');
    expect(await cat.locator('.compare img').count()).toBe(1);
    const cup = page.locator(`#job-${ids.cup}`);
    expect(await cup.locator('.input').allTextContents()).toEqual([
      expect.stringMatching(/^image drop\/shop\/cup\.png#\d+ sha256 [0-9a-f]{16}…$/),
      expect.stringMatching(/^reference drop\/shop\/_scenes\/brick\.png sha256 [0-9a-f]{16}…$/),
      expect.stringMatching(/^request drop\/shop\/cup\.json#\d+$/),
    ]);
    expect(await page.locator(`#job-${ids.again} a.job-link`).getAttribute('href')).toBe(`#job-${ids.cat}`);

    await page.locator('label[for="filter-failed"]').click();
    expect(await page.locator('article.job:visible').count()).toBe(2);
    await page.locator('label[for="filter-all"]').click();
    expect(await page.locator('article.job:visible').count()).toBe(5);

    await mkdir(join(ARTEFACT, '..'), { recursive: true });
    await page.screenshot({ path: ARTEFACT, fullPage: true });
    expect((await readFile(ARTEFACT)).subarray(1, 4).toString()).toBe('PNG');
    expect(problems).toEqual([]);
    await page.close();
  });
});
