#!/usr/bin/env node
// Entry point of the `recording-workflow` CLI (package.json "bin"). The CLI is TypeScript run through tsx,
// like `npm start`, so there is no build step between editing cli/ and using it.
'use strict';
// The SDK warns on every run that its releases after January 2027 need Node 22; this project pins Node 20
// (package.json engines) and a lock file, so the warning is noise on an operator's stderr. Set the variable
// to "false" to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
const { main } = require('../cli/main.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`recording-workflow failed: ${(e && e.stack) || e}\n`);
    process.exitCode = 1;
  },
);
