/**
 * `npm start -- --serve` with the console: its address is printed and written as `console` in
 * endpoints.json, it answers while the twin is kept up, and it is gone (with the file) after SIGINT.
 * The file is there before the first call is placed, so the CLI can reach live calls.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../local/start';

jest.setTimeout(120_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'console-serve-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until<T>(what: () => T | undefined): Promise<T> {
  for (;;) {
    const v = what();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('prints the console address, writes it to endpoints.json, serves the run, and stops on SIGINT', async () => {
  const scenario = join(dir, 'scenario.json');
  writeFileSync(
    scenario,
    JSON.stringify({ calls: [{ name: 'bad-location', location: 'Not_A_Bucket', expect: { outcome: 'INVALID_INPUT', startAttempts: 0 } }] }),
  );
  const dataDir = join(dir, 'data');
  const file = join(dataDir, 'endpoints.json');
  let err = '';
  /** Whether endpoints.json existed when the twin said it was up, before it placed any call. */
  let fileWhenUp: boolean | undefined;
  const write = (s: string) => {
    if (s.startsWith('local twin up')) fileWhenUp = existsSync(file);
    err += s;
    return true;
  };
  const io = { stdout: { write: () => true }, stderr: { write, isTTY: false } };
  const exit = main(['--scenario', scenario, '--serve', '--no-export', '--data-dir', dataDir], io);

  const endpoints = await until(() => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : undefined));
  await until(() => (err.includes('twin serving') ? true : undefined));
  expect(fileWhenUp).toBe(true);
  expect(endpoints.console).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  expect(err).toContain(`local console: ${endpoints.console}`);
  expect(err).toContain(`console ${endpoints.console}`);
  const page = await fetch(endpoints.console);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<script src="/app.js"');
  const list = (await (await fetch(`${endpoints.console}api/executions`)).json()) as { rows: Array<{ outcome: string }> };
  expect(list.rows.map((r) => r.outcome)).toEqual(['INVALID_INPUT']);

  process.emit('SIGINT');
  await expect(exit).resolves.toBe(0);
  expect(existsSync(file)).toBe(false);
  await expect(fetch(endpoints.console)).rejects.toThrow();
});
