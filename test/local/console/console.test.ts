/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The local console in a real browser (headless Chromium): a twin in-process runs a few scenario calls, one
 * per outcome; the console serves it; the page is loaded and read the way a person would use it. What the
 * page shows is checked against the twin's own APIs (ListExecutions / GetExecutionHistory) and the run's
 * results. Set CONSOLE_SCREENSHOTS=1 to (re)write the screenshots in docs/.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { Page } from 'playwright-core';
import { startTwin, TWIN_RETENTION_SETTINGS, type Twin } from '../../../local/twin/twin';
import { runCalls, type CallResult } from '../../../local/scenario/runner';
import { parseScenario } from '../../../local/scenario/scenario-file';
import { renderDefinition } from '../../../statemachines/definition';
import { startConsoleServer, type ConsoleServer } from '../../../local/console/server';
import { launchChromium, type Browser } from './browser';

jest.setTimeout(120_000);

const SE = 'SystemException';
/** One call per outcome, two for RECORDED (one of them retried), from the demo's scenarios. */
const CALLS = parseScenario({
  calls: [
    { name: 'recorded', legs: 2, durationSeconds: 30, expect: { outcome: 'RECORDED', startAttempts: 1 } },
    {
      name: 'retried-then-recorded',
      durationSeconds: 30,
      faults: { startRecording: [SE, SE] },
      expect: { outcome: 'RECORDED', startAttempts: 3 },
    },
    {
      name: 'start-retries-exhausted',
      faults: { startRecording: [SE, SE, SE, SE] },
      expect: { outcome: 'START_FAILED', startAttempts: 4 },
    },
    { name: 'hung-up-before-recording', legs: 1, faults: { hangupAfterSeconds: 0 }, expect: { outcome: 'NOT_RECORDED' } },
    {
      name: 'recording-dropped',
      durationSeconds: 30,
      faults: { dropRecording: true },
      expect: { outcome: 'RECORDING_MISSING', startAttempts: 1 },
    },
    {
      name: 'wrong-call-id-metadata',
      durationSeconds: 30,
      faults: { metadata: { 'call-id': 'other' } },
      expect: { outcome: 'RECORDING_INVALID', startAttempts: 1 },
    },
    { name: 'invalid-bucket-name', location: 'Not_A_Bucket/recordings', expect: { outcome: 'INVALID_INPUT', startAttempts: 0 } },
  ],
});

let dir: string;
let twin: Twin;
let server: ConsoleServer;
let browser: Browser;
let page: Page;
let results: CallResult[];
/** Requests the page made to anything but the console (must stay empty). */
const offsite: string[] = [];
const pageErrors: string[] = [];

const byName = (name: string) => results.find((r) => r.name === name)!;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-twin-'));
  // The bounds that measure wall-clock latency are widened (as in the CLI tests): a busy machine must not
  // turn a slow HTTP hop into a different outcome. Fewer verification polls keep RECORDING_MISSING short.
  twin = await startTwin({
    dataDir: join(dir, 'data'),
    settings: { StartAttemptTimeoutSeconds: 3600, ConsentTimeoutSeconds: 3600, DurationToleranceSeconds: 600, VerifyMaxRetries: 3 },
  });
  results = await runCalls(twin, CALLS);
  server = await startConsoleServer({
    sfn: twin.sfn,
    s3: twin.s3,
    stateMachineArn: twin.stateMachineArn,
    definition: renderDefinition(twin.settings),
  });
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const origin = new URL(server.url).origin;
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await twin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
  expect(offsite).toEqual([]);
});

it('the run produced every outcome (the premise of the page tests)', () => {
  expect(results.map((r) => [r.name, r.outcome, r.passed])).toEqual(CALLS.map((c) => [c.name, c.expect!.outcome, true]));
});

async function history(executionArn: string): Promise<HistoryEvent[]> {
  const out = await twin.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  expect(out.nextToken).toBeUndefined();
  return out.events ?? [];
}

const arnOf = (r: CallResult) => `${twin.stateMachineArn.replace(':stateMachine:', ':execution:')}:${r.executionName}`;

async function openList(query = ''): Promise<void> {
  await page.goto(`${server.url}#/${query}`);
  await page.waitForSelector('tr[data-execution]');
}

describe('executions', () => {
  it('lists every execution with its outcome, and the totals per outcome', async () => {
    await openList();
    const rows = await page.$$eval('tr[data-execution]', (trs) =>
      trs.map((tr) => [(tr as HTMLElement).dataset.execution, (tr as HTMLElement).dataset.outcome]),
    );
    // Every call, and every Reconcile execution its recordings started (issue 22: the same state machine).
    const reconciled: Array<[string, string | null]> = results.flatMap((r) =>
      r.reconciliations.map((x): [string, string | null] => [x.executionArn.slice(x.executionArn.lastIndexOf(':') + 1), x.outcome]),
    );
    expect(reconciled.length).toBeGreaterThan(0);
    expect(new Map(rows as Array<[string, string]>)).toEqual(
      new Map([...results.map((r): [string, string | null] => [r.executionName, r.outcome]), ...reconciled]),
    );
    const totals = await page.$$eval('button.total', (bs) =>
      bs.map((b) => [(b as HTMLElement).dataset.outcome, b.querySelector('strong')!.textContent]),
    );
    expect(Object.fromEntries(totals)).toEqual({
      RECORDED: '2',
      NOT_RECORDED: '1',
      START_FAILED: '1',
      RECORDING_MISSING: '1',
      RECORDING_INVALID: '1',
      INVALID_INPUT: '1',
      RECORDING_ACCOUNTED_FOR: String(reconciled.length),
    });
    if (process.env.CONSOLE_SCREENSHOTS) await page.screenshot({ path: 'docs/console-executions.png' });
  });

  it('filters by outcome and by status (labelled selects; the filter is in the address)', async () => {
    await openList();
    await page.getByLabel('Outcome', { exact: true }).selectOption('START_FAILED');
    await page.waitForFunction(
      () => location.hash === '#/?outcome=START_FAILED' && document.querySelectorAll('tr[data-execution]').length === 1,
    );
    expect(await page.$eval('tr[data-execution]', (tr) => (tr as HTMLElement).dataset.execution)).toBe(
      byName('start-retries-exhausted').executionName,
    );

    await openList('?status=SUCCEEDED');
    const statuses = await page.$$eval('tr[data-execution]', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.status));
    // RECORDED x2 and NOT_RECORDED end in Succeed states, and so do the Reconcile executions of the recordings their
    // calls accounted for (RECORDING_ACCOUNTED_FOR)
    const accounted = results.flatMap((r) => r.reconciliations).filter((x) => x.outcome === 'RECORDING_ACCOUNTED_FOR').length;
    expect(statuses).toEqual(Array(3 + accounted).fill('SUCCEEDED'));
    expect(await page.getByLabel('Status', { exact: true }).inputValue()).toBe('SUCCEEDED');

    // A total is a toggle for the same filter.
    await openList();
    await page.click('button.total[data-outcome="RECORDED"]');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-execution]').length === 2);
    expect(await page.$eval('button.total[data-outcome="RECORDED"]', (b) => b.getAttribute('aria-pressed'))).toBe('true');
  });

  it('is usable with the keyboard: Tab reaches the rows, Enter opens one, and focus is visible', async () => {
    await openList();
    let focused: string | undefined;
    for (let i = 0; i < 30 && !focused; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset?.execution);
    }
    expect(focused).toBeDefined();
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.waitForSelector('svg.graph');
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/executions/${focused}`);
  });
});

/** The states each outcome's execution must have entered, and the ones it must not have. */
const PATHS: Record<string, { entered: string[]; notEntered: string[]; last: string; lastClass: 'ok' | 'failed' }> = {
  recorded: {
    entered: [
      'ValidateInput',
      'CheckInput',
      'StartRecording',
      // the notice follows the start in the Lambda's answer (issue 21): its outcome through the mailbox
      'NoticeFollows',
      'AwaitConsentNotice',
      'WaitForCallEnd',
      'VerifyRecording',
      'MarkComplete',
      'WriteAuditManifest',
      'RouteOutcome',
      'RECORDED',
    ],
    notEntered: ['ShouldRetryStart', 'WaitBeforeStartRetry', 'NotifyConsent', 'INVALID_INPUT', 'START_FAILED'],
    last: 'RECORDED',
    lastClass: 'ok',
  },
  'retried-then-recorded': {
    entered: [
      'StartRecording',
      'ShouldRetryStart',
      'WaitBeforeStartRetry',
      'AwaitConsentNotice',
      'VerifyRecording',
      'MarkComplete',
      'RECORDED',
    ],
    notEntered: ['START_FAILED', 'INVALID_INPUT'],
    last: 'RECORDED',
    lastClass: 'ok',
  },
  'start-retries-exhausted': {
    entered: ['StartRecording', 'ShouldRetryStart', 'WaitBeforeStartRetry', 'WriteAuditManifest', 'RouteOutcome', 'START_FAILED'],
    notEntered: ['NotifyConsent', 'WaitForCallEnd', 'VerifyRecording', 'RECORDED'],
    last: 'START_FAILED',
    lastClass: 'failed',
  },
  'hung-up-before-recording': {
    entered: ['StartRecording', 'WriteAuditManifest', 'NOT_RECORDED'],
    notEntered: ['NotifyConsent', 'VerifyRecording'],
    last: 'NOT_RECORDED',
    lastClass: 'ok',
  },
  'recording-dropped': {
    entered: ['AwaitConsentNotice', 'WaitForCallEnd', 'VerifyRecording', 'WriteAuditManifest', 'RECORDING_MISSING'],
    notEntered: ['MarkComplete'],
    last: 'RECORDING_MISSING',
    lastClass: 'failed',
  },
  'wrong-call-id-metadata': {
    entered: ['VerifyRecording', 'WriteAuditManifest', 'RECORDING_INVALID'],
    notEntered: ['RECORDED'],
    last: 'RECORDING_INVALID',
    lastClass: 'failed',
  },
  'invalid-bucket-name': {
    entered: ['ValidateInput', 'CheckInput', 'INVALID_INPUT'],
    notEntered: ['StartRecording', 'WriteAuditManifest'],
    last: 'INVALID_INPUT',
    lastClass: 'failed',
  },
};

/** Every task token value in an execution's raw history (TaskScheduled parameters of .waitForTaskToken tasks). */
function tokensIn(events: HistoryEvent[]): string[] {
  const found: string[] = [];
  const walk = (v: unknown, key?: string) => {
    if (typeof v === 'string' && key && /^task_?token$/i.test(key)) found.push(v);
    else if (typeof v === 'string' && v.startsWith('{')) {
      try {
        walk(JSON.parse(v));
      } catch {
        /* not JSON */
      }
    } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(events);
  return found;
}

describe('one execution', () => {
  // The twin runs with retention by outcome and the caller index: their states are drawn too.
  const states = Object.keys((renderDefinition(TWIN_RETENTION_SETTINGS) as { States: object }).States);

  it.each(Object.keys(PATHS))('%s: the graph with its path highlighted, and the history', async (name) => {
    const r = byName(name);
    const expected = PATHS[name];
    await page.goto(`${server.url}#/executions/${r.executionName}`);
    await page.waitForSelector('svg.graph g.node.last');

    // Every state of the definition is drawn, each at its own place (laid out, not stacked).
    const nodes = await page.$$eval('svg.graph g.node', (gs) =>
      gs.map((g) => ({
        id: (g as SVGGElement).dataset.state!,
        classes: g.getAttribute('class')!,
        box: (g as SVGGElement).getBoundingClientRect().toJSON(),
      })),
    );
    expect(nodes.map((n) => n.id).sort()).toEqual([...states].sort());
    for (const a of nodes)
      for (const b of nodes)
        if (a !== b)
          expect(a.box.right <= b.box.left || b.box.right <= a.box.left || a.box.bottom <= b.box.top || b.box.bottom <= a.box.top).toBe(
            true,
          );

    const taken = new Set(nodes.filter((n) => n.classes.split(' ').includes('taken')).map((n) => n.id));
    for (const s of expected.entered) expect([s, taken.has(s)]).toEqual([s, true]);
    for (const s of expected.notEntered) expect([s, taken.has(s)]).toEqual([s, false]);
    const last = nodes.filter((n) => n.classes.split(' ').includes('last'));
    expect(last.map((n) => [n.id, n.classes.includes(expected.lastClass)])).toEqual([[expected.last, true]]);

    // The history table is the execution's whole history, in order, with no task token anywhere on the page.
    const events = await history(arnOf(r));
    const rows = await page.$$eval('table.history tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.type));
    expect(rows).toEqual(events.map((e) => e.type));
    const html = await page.content();
    for (const token of tokensIn(events)) expect({ token, onPage: html.includes(token) }).toEqual({ token, onPage: false });
    if (name === 'recorded') expect(tokensIn(events).length).toBeGreaterThan(0); // the check above had something to find
    if (name === 'retried-then-recorded' && process.env.CONSOLE_SCREENSHOTS) {
      await page.setViewportSize({ width: 1300, height: 1250 });
      await page.screenshot({ path: 'docs/console-execution.png' });
      await page.setViewportSize({ width: 1200, height: 900 });
    }
  });

  it('shows retries as counts: the StartRecording loop on nodes and edges, VerifyRecording polls as retries', async () => {
    await page.goto(`${server.url}#/executions/${byName('retried-then-recorded').executionName}`);
    await page.waitForSelector('svg.graph g.node.last');
    expect(
      await page.$eval('g.node[data-state="StartRecording"]', (g) => [
        (g as SVGGElement).dataset.visits,
        g.querySelector('text.badges')?.textContent,
      ]),
    ).toEqual(['3', '×3 · 2 failed']);
    expect(
      await page.$eval('g.edge[data-from="WaitBeforeStartRetry"][data-to="StartRecording"]', (g) => [
        (g as SVGGElement).dataset.count,
        g.querySelector('text.count')?.textContent,
      ]),
    ).toEqual(['2', '×2']);

    await page.goto(`${server.url}#/executions/${byName('recording-dropped').executionName}`);
    await page.waitForSelector('svg.graph g.node.last');
    // VerifyRecording's Retry polls HeadObject VerifyMaxRetries (3) times after the first try, then gives up.
    expect(await page.$eval('g.node[data-state="VerifyRecording"]', (g) => (g as SVGGElement).dataset.retries)).toBe('3');
  });

  it('shows the audit manifest from S3', async () => {
    const r = byName('start-retries-exhausted');
    await page.goto(`${server.url}#/executions/${r.executionName}`);
    const manifest = JSON.parse((await page.locator('pre.manifest').textContent()) ?? '');
    expect(manifest).toMatchObject({ outcome: 'START_FAILED', execution: { name: r.executionName } });
    expect(manifest.startAttempts).toHaveLength(4);
  });

  it('plays the recording: the <audio> element decodes it and its time advances', async () => {
    const r = byName('recorded');
    await page.goto(`${server.url}#/executions/${r.executionName}`);
    const audio = page.locator('audio');
    await audio.waitFor();
    await audio.evaluate((a: HTMLAudioElement) => {
      a.muted = true;
      return a.play();
    });
    await page.waitForFunction(() => {
      const a = document.querySelector('audio')!;
      return a.readyState >= 2 && a.duration > 0 && a.currentTime > 0;
    });
    const { duration } = await audio.evaluate((a: HTMLAudioElement) => ({ duration: a.duration }));
    expect(duration).toBeGreaterThan(1); // the call's recording, not an empty file
    // Seeking needs Range support: jump near the end and wait for the element to get there.
    await audio.evaluate(
      (a: HTMLAudioElement) =>
        new Promise<void>((resolve) => {
          a.addEventListener('seeked', () => resolve(), { once: true });
          a.currentTime = a.duration - 0.5;
        }),
    );
    expect(await audio.evaluate((a: HTMLAudioElement) => a.currentTime)).toBeGreaterThan(duration / 2);
  });

  it('says so when a call has no recording', async () => {
    await page.goto(`${server.url}#/executions/${byName('recording-dropped').executionName}`);
    await page.waitForSelector('svg.graph g.node.last');
    expect(await page.locator('audio').count()).toBe(0);
    await expect(page.locator('.audio-box').textContent()).resolves.toContain('No recording');
  });
});

describe('retry audit', () => {
  it('draws outcomes over time and start attempts by number, with the same numbers in tables', async () => {
    await page.goto(`${server.url}#/audit`);
    await page.waitForSelector('svg.chart');
    expect(await page.locator('svg.chart').count()).toBe(2);
    const outcomes = await page
      .locator('svg.chart')
      .first()
      .locator('rect.seg')
      .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-key')));
    // The calls' outcomes (not the Reconcile executions' of their recordings, issue 22: they are not calls).
    expect(new Set(outcomes)).toEqual(new Set(results.map((r) => r.outcome)));
    // Attempts: per number, STARTED or the error. 7 calls: attempt 1 of 6 calls (INVALID_INPUT has none), ...
    const table: Array<Record<string, Record<string, number>>> = await page.$$eval('table.counts', (ts) =>
      ts.map((t) => {
        const keys = [...t.querySelectorAll('thead th')].slice(1).map((th) => th.textContent!);
        return Object.fromEntries(
          [...t.querySelectorAll('tbody tr')].map((tr) => [
            tr.querySelector('th')!.textContent,
            Object.fromEntries([...tr.querySelectorAll('td')].map((td, i) => [keys[i], Number(td.textContent)]).filter(([, n]) => n)),
          ]),
        );
      }),
    );
    const attempts = table[1];
    expect(attempts['attempt 1'][SE]).toBe(2);
    // The caller who hung up at answer: the first update never reached a Lambda, the retry found no call.
    expect(attempts['attempt 2']).toEqual({ [SE]: 2, 'ChimeSdkVoice.NotFoundException': 1 });
    expect(attempts['attempt 3']).toEqual({ STARTED: 1, [SE]: 1 });
    expect(attempts['attempt 4']).toEqual({ [SE]: 1 });
    const perOutcome: Record<string, number> = {};
    for (const bin of Object.values(table[0])) for (const [k, n] of Object.entries(bin)) perOutcome[k] = (perOutcome[k] ?? 0) + n;
    expect(perOutcome).toEqual({
      RECORDED: 2,
      NOT_RECORDED: 1,
      START_FAILED: 1,
      RECORDING_MISSING: 1,
      RECORDING_INVALID: 1,
      INVALID_INPUT: 1,
    });
    if (process.env.CONSOLE_SCREENSHOTS) await page.screenshot({ path: 'docs/console-audit.png' });
  });
});

/** A raw HTTP GET with chosen headers (fetch would not let the test send a foreign Host). */
function get(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the server', () => {
  it('serves the recording as audio/wav with byte ranges', async () => {
    const path = `/api/executions/${byName('recorded').executionName}/recording`;
    const whole = await get(path);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('audio/wav');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.body.subarray(0, 4).toString('latin1')).toBe('RIFF');
    const part = await get(path, { Range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${whole.body.length}`);
    expect(part.body).toEqual(whole.body.subarray(100, 200));
  });

  it('answers with the execution data the CLI would show, tokens redacted', async () => {
    const r = byName('recorded');
    const res = await get(`/api/executions/${r.executionName}`);
    expect(res.status).toBe(200);
    const text = res.body.toString('utf8');
    // The engine's own record (the API's history redacts them too, so it could not show what to look for).
    const tokens = tokensIn(twin.engine.getExecution(arnOf(r)).history as unknown as HistoryEvent[]);
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) expect({ token, inAnswer: text.includes(token) }).toEqual({ token, inAnswer: false });
    expect(text).toContain('<redacted>');
    expect(JSON.parse(text).row).toMatchObject({ executionName: r.executionName, outcome: 'RECORDED', startAttempts: 1 });
  });

  it('is read-only, answers only to its own host name, and names only executions', async () => {
    expect((await get('/api/executions', {}, 'POST')).status).toBe(405);
    expect((await get('/api/executions', { Host: 'attacker.example:80' })).status).toBe(421);
    expect((await get('/api/executions/no-such-execution')).status).toBe(404);
    expect((await get('/api/executions/..%2F..%2Fetc/recording')).status).toBe(404);
    expect((await get(`/api/executions/${byName('recording-dropped').executionName}/recording`)).status).toBe(404);
    const page = await get('/');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
  });
});

// Last: it adds an execution, which the totals above do not count.
describe('while calls run', () => {
  it('the open list picks up a new call without a reload', async () => {
    await openList();
    const before = await page.locator('tr[data-execution]').count();
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1)); // gone if the page reloaded
    const [late] = await runCalls(
      twin,
      parseScenario({ calls: [{ name: 'late', durationSeconds: 30, expect: { outcome: 'RECORDED', startAttempts: 1 } }] }),
    );
    await page.waitForSelector(`tr[data-execution="${late.executionName}"][data-outcome="RECORDED"]`);
    // The call and the Reconcile execution of its recording (issue 22).
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-execution]').length === n, before + 2);
    expect(await page.locator('tr[data-execution]').count()).toBe(before + 2);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    expect(await page.$eval('button.total[data-outcome="RECORDED"] strong', (s) => s.textContent)).toBe('3');
  });
});
