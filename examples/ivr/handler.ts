/**
 * The IVR's Lambda entry with recording added: the `.use(recording())` is the one line (docs/embedding.md).
 * A project outside this repository imports it as `dependable-call-recording/middleware`.
 */
import middy from '@middy/core';
import { recording } from '../../lambdas/middleware';
import { createIvr } from './ivr';

const ivr = createIvr({ agents: JSON.parse(process.env.IVR_AGENTS ?? '{}') as Record<string, string> });

export const handler = middy(ivr).use(recording());
