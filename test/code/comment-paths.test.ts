/**
 * Every repository path a source comment names exists, so a renamed or deleted file cannot leave a pointer behind
 * (issue 10 found three: a test that was never written, notes outside the repository, a development machine's
 * absolute path). The comments come from the TypeScript parser, so strings and regular expressions are not read
 * as comments. A path counts when it starts with a top-level folder of the repository (`local/sma/`), with ./ or
 * ../, or names a markdown file (`docs/reference/sma-protocol.md`: notes are where pointers go stale); it may be
 * relative to the repository or to the file. Paths in other repositories are written as URLs, which are not read.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
/** Build output and data the repository ignores (.gitignore): named in comments, absent from a clean clone. */
const GENERATED = /^(dist|cdk\.out|coverage|\.data|node_modules)\/|\.tmp$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'cdk.out', 'coverage', '.data', '.git', 'scratch']);
const SOURCE = /\.(ts|tsx|js|mjs|cjs)$/;
const TOP = readdirSync(ROOT).filter((name) => !SKIP_DIRS.has(name) && statSync(join(ROOT, name)).isDirectory());
/** A run of path characters with at least one slash (optionally starting with ./ or ../). */
const PATH_TOKEN = /(?:\.{1,2}\/)*[\w.@-]+(?:\/[\w.@-]+)+\/?/g;
const NOTES = /\.md$/;
/** Absolute paths of a development machine. */
const MACHINE_PATH = /(?:^|[\s(`'"])(\/(?:work|home|Users|root|mnt)\/[\w./-]*)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP_DIRS.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The text of every comment in a file, each once, with the line it starts on. */
function commentsOf(fileName: string, text: string): Array<{ line: number; text: string }> {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const seen = new Map<number, string>();
  const collect = (pos: number) => {
    for (const range of [...(ts.getLeadingCommentRanges(text, pos) ?? []), ...(ts.getTrailingCommentRanges(text, pos) ?? [])]) {
      seen.set(range.pos, text.slice(range.pos, range.end));
    }
  };
  const visit = (node: ts.Node) => {
    collect(node.pos);
    collect(node.end);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return [...seen].map(([pos, comment]) => ({ line: file.getLineAndCharacterOfPosition(pos).line + 1, text: comment }));
}

/** The paths a comment names that exist neither in the repository nor beside the file, with their offsets. */
function missingIn(fileDir: string, comment: string): Array<{ path: string; at: number }> {
  const missing: Array<{ path: string; at: number }> = [];
  for (const match of comment.matchAll(MACHINE_PATH)) missing.push({ path: match[1], at: match.index ?? 0 });
  for (const match of comment.matchAll(PATH_TOKEN)) {
    const token = match[0].replace(/[.]+$/, '');
    const start = match.index ?? 0;
    if (comment[start - 1] === '/' || comment.slice(start - 3, start) === '://') continue; // a URL's path, or a machine path above
    if (token.startsWith('@')) continue; // an npm package
    const first = token.replace(/^(\.{1,2}\/)+/, '').split('/')[0];
    const relativeToFile = token.startsWith('.');
    if (!relativeToFile && !TOP.includes(first) && !NOTES.test(token)) continue; // `Success/Failure`, `audio/wav`
    if (GENERATED.test(token)) continue;
    if (!existsSync(join(ROOT, token)) && !existsSync(join(fileDir, token))) missing.push({ path: token, at: start });
  }
  return missing;
}

const missingPaths = (fileDir: string, comment: string) => missingIn(fileDir, comment).map(({ path }) => path);

it('finds a missing path, a path outside the repository and a machine path, and accepts real ones', () => {
  const dir = join(ROOT, 'lambdas', 'shared');
  expect(missingPaths(dir, '// checked by test/statemachine/contract.test.ts')).toEqual(['test/statemachine/contract.test.ts']);
  expect(missingPaths(dir, '/* as summarised in shared/reference/sma-protocol.md */')).toEqual(['shared/reference/sma-protocol.md']);
  expect(missingPaths(dir, '// the events of /work/shared/reference/sma-protocol.md')).toEqual(['/work/shared/reference/sma-protocol.md']);
  expect(missingPaths(dir, '// docs/reference/sma-protocol.md, lambdas/shared/, ./mask.ts, SendTaskSuccess/Failure, @middy/core')).toEqual(
    [],
  );
  expect(missingPaths(dir, '// https://docs.aws.amazon.com/chime-sdk/latest/dg/x.md and dist/sma-handler/index.js')).toEqual([]);
});

it('every repository path named in a source comment exists', () => {
  const files = TOP.flatMap((folder) => sourceFiles(join(ROOT, folder)));
  expect(files.length).toBeGreaterThan(150); // it did read the tree
  const stale = files.flatMap((file) =>
    commentsOf(file, readFileSync(file, 'utf8')).flatMap(({ line, text }) =>
      missingIn(dirname(file), text).map(({ path, at }) => {
        const lineOfPath = line + (text.slice(0, at).match(/\n/g) ?? []).length;
        return `${relative(ROOT, file)}:${lineOfPath}: ${path}`;
      }),
    ),
  );
  expect(stale).toEqual([]);
});
