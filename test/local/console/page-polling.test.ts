/// <reference lib="dom" />
/**
 * The console page in a real browser, on a hash that names no execution (yet): `#/executions/%` (no valid
 * percent-encoding) used to throw URIError out of the router and leave a dead page; an execution not found on the
 * first load stopped the polling. Now the page says so and keeps asking, and shows the execution once it exists.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Page } from 'playwright-core';
import { startConsoleServer, type ConsoleServer } from '../../../local/console/server';
import { startTwin, type Twin } from '../../../local/twin/twin';
import { renderDefinition } from '../../../statemachines/definition';
import { launchChromium, type Browser } from './browser';

jest.setTimeout(120_000);

let dir: string;
let twin: Twin;
let server: ConsoleServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-polling-'));
  twin = await startTwin({ dataDir: join(dir, 'data'), seed: 4 });
  server = await startConsoleServer({
    sfn: twin.sfn,
    s3: twin.s3,
    stateMachineArn: twin.stateMachineArn,
    definition: renderDefinition(twin.settings),
  });
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await twin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Resolves after `n` requests of the page to `path`. */
function requestsTo(path: string, n: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const on = (req: { url(): string }) => {
      if (new URL(req.url()).pathname === path && ++seen >= n) {
        page.off('request', on);
        resolve();
      }
    };
    page.on('request', on);
  });
}

it('#/executions/%: no page error, the problem said, and the page keeps asking', async () => {
  const asked = requestsTo('/api/executions/%25', 3);
  await page.goto(`${server.url}#/executions/%`);
  await asked;
  expect(await page.locator('[role=alert]').first().textContent()).toMatch(/^Could not load: .* \(trying again\)$/);
  expect(pageErrors).toEqual([]);
});

it('an execution that starts after the page opened is shown without a reload', async () => {
  const name = 'starts-later';
  const asked = requestsTo(`/api/executions/${name}`, 2);
  await page.goto(`${server.url}#/executions/${name}`);
  await asked; // refused once at least (not found), and asked again
  await page.locator('[role=alert]:visible').first().waitFor();
  // An input the workflow refuses (INVALID_INPUT) ends at once: enough to exist.
  await twin.sfn.send(new StartExecutionCommand({ stateMachineArn: twin.stateMachineArn, name, input: '{}' }));
  await page.locator('dl.meta').getByText('INVALID_INPUT').first().waitFor();
  expect(await page.locator('[role=alert]:visible').count()).toBe(0);
  expect(pageErrors).toEqual([]);
});
