/** Lambda entry point (infra/ bundles this file; the local twin imports it unchanged). */
import { loadConfig } from './config';
import { createHandler } from './handler';

export const handler = createHandler({ config: loadConfig(process.env) });
