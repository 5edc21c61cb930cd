/**
 * @middy/core 6 is ES modules only and jest here runs CommonJS on Node 20, yet the twin runs the real SMA
 * Lambda (built on middy). This loads the installed @middy/core transpiled to CommonJS (the same approach as
 * test/unit/middy-cjs.ts, kept here so the CLI tests stand on their own); cli.test.ts registers it with
 * jest.mock.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export function loadMiddyCore(): unknown {
  const file = require.resolve('@middy/core');
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: file,
  });
  const mod: { exports: Record<string, unknown> } = { exports: {} };
  new Function('exports', 'require', 'module', '__filename', '__dirname', outputText)(mod.exports, require, mod, file, path.dirname(file));
  return mod.exports;
}
