// The docs page in a real browser (Debian's chromium, driven by playwright-core), with every
// request that leaves the API refused: the page must work offline, "try it" included.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/api.ts';
import { closeTestDb } from '../support/db.ts';
import { API_URL, ROOT } from '../support/env.ts';
import { resetState } from '../support/reset.ts';

const SCREENSHOT = join(ROOT, '.data/docs-page.png');
let browser: Browser;
let page: Page;
const refused: string[] = [];

beforeAll(async () => {
  await resetState(); // the new good must be on the first page the test lists
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
  await page.route('**/*', (route) => {
    if (route.request().url().startsWith(API_URL)) return route.continue();
    refused.push(route.request().url());
    return route.abort();
  });
});
afterAll(async () => {
  await browser?.close();
  await closeTestDb();
});

describe('GET /docs', () => {
  it('renders the API from /openapi.json, offline, with the five operations', { timeout: 60_000 }, async () => {
    const response = await page.goto(`${API_URL}/docs`);
    expect(response?.status()).toBe(200);
    await page.locator('.opblock').first().waitFor();
    const listed = await page.locator('.opblock-summary-path').allTextContents();
    for (const path of ['/goods/create', '/goods/update', '/goods/remove', '/goods/reprioritize', '/goods/list']) {
      expect(listed.map((text) => text.replace(/\u200b/g, ''))).toContain(path);
    }
    expect(refused).toEqual([]);
  });

  it('creates a good with its own "try it", and the API has it', { timeout: 60_000 }, async () => {
    const name = `docs-${randomUUID().slice(0, 8)}`;
    const operation = page.locator('#operations-goods-createGood');
    await operation.locator('.opblock-summary').click();
    await operation.locator('tr[data-param-name="projectId"] input').fill('1');
    await operation.locator('textarea.body-param__text').fill(JSON.stringify({ name, description: 'from the docs page' }));
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table tbody .response-col_status').first();
    await expect.poll(async () => (await status.textContent())?.trim(), { timeout: 20_000 }).toBe('200');

    const list = await api('GET', '/goods/list', { query: { limit: 1000 } });
    expect(list.body.goods.filter((g: { name: string }) => g.name === name)).toHaveLength(1);
    mkdirSync(join(ROOT, '.data'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    expect(refused).toEqual([]);
  });
});
