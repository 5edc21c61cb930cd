#!/usr/bin/env node
// Entry point of `recording-twin` (package.json "bin"): the local twin of `npm start`, for a project that installed
// the package, to run its own SMA handler with recording offline (`recording-twin --handler dist/handler.js
// --scenario calls.json`; README, "Test your call flow with recording, offline"). In a clone it runs the sources
// (local/start.ts) through tsx; the installed package runs the compiled bundle (dist/bin/recording-twin.js).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const source = join(__dirname, '..', 'local', 'start.ts');
let main;
if (existsSync(source)) {
  require('tsx/cjs');
  ({ main } = require(source));
} else ({ main } = require('../dist/bin/recording-twin.js'));

main(process.argv.slice(2), process, 'recording-twin').then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`recording-twin failed: ${e?.stack || e}\n`);
    process.exit(1);
  },
);
