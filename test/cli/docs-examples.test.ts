/**
 * docs/cli.md's examples reproduce: every `$ npx recording-workflow --local ...` line of the document runs, in the
 * document's order, against `npm start -- --serve --seed 1` (local/start.ts's main, in-process: the demo's calls, then
 * the twin kept up), and prints exactly what the document shows (stdout and stderr as a terminal shows them; `> FILE`
 * and `$ cat FILE`, `; echo "exit $?"` as a shell would). Lines with a `...` placeholder are left alone.
 * CLI_DOCS=1 rewrites the document's outputs from the run instead (after a change of the CLI's output or the demo).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as cli } from '../../cli/main';
import { main as start } from '../../local/start';

jest.setTimeout(180_000);

const DOC = join(__dirname, '..', '..', 'docs', 'cli.md');
const COMMAND = /^\$ npx recording-workflow --local (.*?)(?: > (\S+))?(; echo "exit \$\?")?$/;
const CAT = /^\$ cat (\S+)$/;

let dir: string;
let endpointsFile: string;
let twin: Promise<number>;

async function until(what: () => boolean): Promise<void> {
  while (!what()) await new Promise((r) => setTimeout(r, 50));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-docs-'));
  const dataDir = join(dir, 'data');
  endpointsFile = join(dataDir, 'endpoints.json');
  let err = '';
  const io = { stdout: { write: () => true }, stderr: { write: (s: string) => ((err += s), true), isTTY: false } };
  twin = start(['--seed', '1', '--serve', '--no-export', '--data-dir', dataDir], io);
  await until(() => err.includes('twin serving') || err.includes('failed'));
  expect(existsSync(endpointsFile)).toBe(true);
});

afterAll(async () => {
  process.emit('SIGINT');
  await twin;
  rmSync(dir, { recursive: true, force: true });
});

/** What a shell would show for one documented line, and the files it wrote. */
async function transcript(line: string, files: Map<string, string>): Promise<string | undefined> {
  const cat = CAT.exec(line);
  // CSV rows end in CRLF (RFC 4180); a terminal shows them as lines.
  if (cat) return files.get(cat[1]!)?.replace(/\r\n/g, '\n');
  const m = COMMAND.exec(line);
  if (!m || m[1]!.includes('...')) return undefined;
  let shown = '';
  let redirected = '';
  const io = {
    stdout: { write: (s: string) => (m[2] ? (redirected += s) : (shown += s), true) },
    stderr: { write: (s: string) => ((shown += s), true), isTTY: false },
  };
  const code = await cli(['--local-file', endpointsFile, ...m[1]!.split(' ')], io, { env: {} });
  if (m[2]) files.set(m[2], redirected);
  if (m[3]) shown += `exit ${code}\n`;
  return shown;
}

it('every example of docs/cli.md prints what the document shows', async () => {
  const lines = readFileSync(DOC, 'utf8').split('\n');
  const files = new Map<string, string>();
  const out: string[] = [];
  const mismatches: string[] = [];
  let ran = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    out.push(line);
    if (!line.startsWith('$ ')) continue;
    // The documented output: up to the next command or the end of the block (a blank line before a command is kept).
    let end = i + 1;
    while (end < lines.length && !lines[end]!.startsWith('$ ') && lines[end] !== '```') end++;
    const documented = lines.slice(i + 1, end);
    const trailingBlank = documented.length > 0 && documented[documented.length - 1] === '' && lines[end]?.startsWith('$ ');
    const actual = await transcript(line, files);
    if (actual === undefined) continue;
    ran++;
    const actualLines = actual.replace(/\n$/, '').split('\n');
    if (trailingBlank) actualLines.push('');
    if (actualLines.join('\n') !== documented.join('\n'))
      mismatches.push(`${line}\n--- documented\n${documented.join('\n')}\n--- actual\n${actualLines.join('\n')}`);
    out.push(...actualLines);
    i = end - 1;
  }
  if (process.env.CLI_DOCS === '1') writeFileSync(DOC, out.join('\n'));
  else expect(mismatches).toEqual([]);
  expect(ran).toBeGreaterThanOrEqual(15);
});
