/**
 * No import cycle anywhere in the project's source (madge over the TypeScript of every source folder): a cycle is
 * how two modules end up knowing each other's internals, and how a module gets loaded half-initialised.
 */
import madge from 'madge';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

it('has no import cycle in lambdas/, statemachines/, infra/, local/, cli/, scripts/, bench/, examples/', async () => {
  const folders = ['lambdas', 'statemachines', 'infra', 'local', 'cli', 'scripts', 'bench', 'examples'].map((f) => join(ROOT, f));
  const result = await madge(folders, {
    fileExtensions: ['ts'],
    tsConfig: join(ROOT, 'tsconfig.json'),
    excludeRegExp: [/node_modules/, /\.d\.ts$/],
  });
  expect(Object.keys(result.obj()).length).toBeGreaterThan(100); // it did read the tree
  expect(result.circular()).toEqual([]);
}, 60_000);
