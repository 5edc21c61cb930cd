/**
 * Every Error subclass in the source sets its `name`, so logs, `toString()` and the CLI say which error it is
 * instead of "Error". Read as text: a class that extends something ending in "Error" (or `Error` itself) must
 * assign `this.name` or declare a `name` field in its body.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const FOLDERS = ['lambdas', 'statemachines', 'infra', 'local', 'cli', 'scripts', 'bench', 'examples'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The classes of `text` that extend an error class, with their bodies (up to the next top-level `}`). */
function errorClasses(text: string): Array<{ name: string; body: string }> {
  const found: Array<{ name: string; body: string }> = [];
  for (const m of text.matchAll(/^export class (\w+) extends (\w*Error)\b[^{]*\{|^class (\w+) extends (\w*Error)\b[^{]*\{/gm)) {
    const start = (m.index ?? 0) + m[0].length;
    const end = text.indexOf('\n}', start);
    found.push({ name: m[1] ?? m[3], body: text.slice(start, end === -1 ? undefined : end) });
  }
  return found;
}

it('every Error subclass has a name', () => {
  const classes = FOLDERS.flatMap((f) => tsFiles(join(ROOT, f))).flatMap((file) =>
    errorClasses(readFileSync(file, 'utf8')).map((c) => ({ ...c, file: relative(ROOT, file) })),
  );
  expect(classes.length).toBeGreaterThan(10); // it did find them
  const unnamed = classes.filter((c) => !/this\.name\s*=|readonly name\s*=/.test(c.body)).map((c) => `${c.file}: ${c.name}`);
  expect(unnamed).toEqual([]);
});
