#!/usr/bin/env node
// Entry point of the `recording-workflow` CLI (package.json "bin"). The CLI is TypeScript run through tsx,
// like `npm start`, so there is no build step between editing cli/ and using it.

// The SDK warns on every run that its releases after January 2027 need Node 22; this project pins Node 20
// (package.json engines) and a lock file, so the warning is noise on an operator's stderr. Set the variable
// to "false" to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The packed library (npm pack) ships this file because package.json names it, but not cli/ or tsx: say so
// instead of failing with a module-not-found stack.
if (!require('node:fs').existsSync(require('node:path').join(__dirname, '..', 'cli', 'main.ts'))) {
  process.stderr.write('recording-workflow: the CLI runs from a clone of the repository (npm ci there), not from the installed package\n');
  process.exit(1);
}
require('tsx/cjs');
const { main } = require('../cli/main.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`recording-workflow failed: ${e?.stack || e}\n`);
    process.exitCode = 1;
  },
);
