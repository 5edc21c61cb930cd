/// <reference lib="dom" />
/**
 * The console's call flow beside the graph (issue 20, item 5), in a real browser: the page lists the same
 * actions as the scenario JSON (by, leg, result), one row each, for a bridged call and a hung-up one; an execution
 * the console has no call for says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startConsoleServer, type ConsoleServer } from '../../../local/console/server';
import { type CallResult, liveCallFlow, runCalls } from '../../../local/scenario/runner';
import { type ScenarioCall, parseScenario } from '../../../local/scenario/scenario-file';
import type { CallHandle } from '../../../local/sma/types';
import { startTwin, type Twin } from '../../../local/twin/twin';
import { renderDefinition } from '../../../statemachines/definition';
import { type Browser, launchChromium } from './browser';

jest.setTimeout(120_000);

let dir: string;
let twin: Twin;
let server: ConsoleServer;
let browser: Browser;
let page: Page;
let results: CallResult[];
const placed = new Map<string, { handle: CallHandle; call: ScenarioCall }>();
const pageErrors: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-flow-'));
  twin = await startTwin({ dataDir: join(dir, 'data'), seed: 3 });
  server = await startConsoleServer({
    sfn: twin.sfn,
    s3: twin.s3,
    stateMachineArn: twin.stateMachineArn,
    definition: renderDefinition(twin.settings),
    callFlow: (name) => {
      const p = placed.get(name);
      return p && name !== hidden ? liveCallFlow(twin, p.handle, p.call) : undefined;
    },
  });
  results = await runCalls(
    twin,
    parseScenario({
      calls: [
        { name: 'bridged', legs: 2, durationSeconds: 30 },
        { name: 'hung-up', legs: 1, durationSeconds: 30, faults: { hangupAfterSeconds: 2 } },
        { name: 'unknown-to-the-console', legs: 1, durationSeconds: 10 },
      ],
    }),
    { onPlaced: (name, handle, call) => placed.set(name, { handle, call }) },
  );
  hidden = results[2]!.executionName;
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
let hidden = '';

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await twin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => expect(pageErrors).toEqual([]));

async function rowsOf(r: CallResult): Promise<string[]> {
  await page.goto(`${server.url}#/executions/${r.executionName}`);
  await page.waitForSelector('svg.graph g.node.last');
  await page.waitForSelector('table.call-flow tbody tr');
  return page.$$eval('table.call-flow tbody tr', (trs) =>
    trs.map((tr) => {
      const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '');
      return [cells[1], cells[2], (tr as HTMLElement).dataset.by, (tr as HTMLElement).dataset.result].join('/');
    }),
  );
}

const expected = (r: CallResult) => r.callFlow.actions.map((a) => [a.leg ?? '-', a.type, a.by, a.result].join('/'));

it('a bridged call: every action of the scenario JSON, in order, whose and how it ended, beside the graph', async () => {
  const r = results[0]!;
  const rows = await rowsOf(r);
  expect(rows).toEqual(expected(r));
  expect(rows[0]).toBe('LEG-A/CallAndBridge/app/SUCCEEDED');
  expect(rows).toContain('LEG-A/StartCallRecording/recording/SUCCEEDED');
  expect(await page.textContent('.flow-summary')).toContain('Bridged');
  // Beside the graph: both in the top row of the page.
  expect(await page.$('.exec-top .side table.call-flow')).not.toBeNull();
  if (process.env.CONSOLE_SCREENSHOTS) {
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.screenshot({ path: join(process.env.CONSOLE_SCREENSHOTS_DIR ?? 'docs', 'console-call-flow.png') });
  }
});

it('a hung-up call: the notice cut by the hangup is HUNG_UP', async () => {
  const r = results[1]!;
  const rows = await rowsOf(r);
  expect(rows).toEqual(expected(r));
  expect(rows).toContain('LEG-A/Speak/recording/HUNG_UP');
  expect(await page.textContent('.flow-summary')).toContain('Not bridged');
});

it('an execution without a known call says so', async () => {
  await page.goto(`${server.url}#/executions/${hidden}`);
  await page.waitForSelector('svg.graph g.node.last');
  await page.waitForFunction(() => document.querySelector('.flow-box')?.textContent?.includes('No call flow'));
});
