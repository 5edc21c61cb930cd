/**
 * The README and docs quote the built-in demo (`npm start` without a scenario): the number of calls they give it
 * is the number local/scenario/demo.json has (they said 15 long after the demo grew to 24).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const demoCalls = (JSON.parse(readFileSync(join(ROOT, 'local', 'scenario', 'demo.json'), 'utf8')) as { calls: unknown[] }).calls.length;
const docs = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];

/** Each way the docs name the demo's size, and where the whole demo's audit prints it. */
const MENTIONS = [
  /(\d+)-call demo/g,
  /demo of (\d+) calls/g,
  /the demo \(`?npm start`?, (\d+) calls/g,
  /Period: any \.\. now: (\d+) call\(s\)/g, // the unfiltered audit after the demo
];

it(`every mention of the demo's size says ${demoCalls}`, () => {
  const found: Array<{ file: string; text: string; calls: number }> = [];
  for (const file of docs) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const re of MENTIONS) for (const m of text.matchAll(re)) found.push({ file, text: m[0], calls: Number(m[1]) });
  }
  expect(found.length).toBeGreaterThanOrEqual(4);
  expect(found.filter((f) => f.calls !== demoCalls)).toEqual([]);
});

it("the README's audit of the demo totals the demo's calls", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const totals = [...readme.matchAll(/Totals per outcome \((\d+) calls\)/g)].map((m) => Number(m[1]));
  expect(totals.length).toBeGreaterThan(0);
  expect(totals.every((n) => n === demoCalls)).toBe(true);
});
