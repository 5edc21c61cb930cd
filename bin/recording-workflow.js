#!/usr/bin/env node
// Entry point of the `recording-workflow` CLI (package.json "bin"). In a clone of the repository it runs the
// TypeScript sources through tsx, so there is no build step between editing cli/ and using it; the installed package
// has no sources and runs the compiled bundle (dist/bin/recording-workflow.js, made by scripts/bundle-bins.ts) with
// Node alone.

// The SDK warns on every run that its releases after January 2027 need Node 22; this project pins Node 20
// (package.json engines) and a lock file, so the warning is noise on an operator's stderr. Set the variable
// to "false" to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const source = join(__dirname, '..', 'cli', 'main.ts');
let main;
if (existsSync(source)) {
  require('tsx/cjs');
  ({ main } = require(source));
} else ({ main } = require('../dist/bin/recording-workflow.js'));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`recording-workflow failed: ${e?.stack || e}\n`);
    process.exitCode = 1;
  },
);
