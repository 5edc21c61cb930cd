/**
 * The IVR's Lambda entry. Until the recording middleware lands (docs/embedding.md), the middleware export is
 * the project's standalone handler factory; the application will then wrap its own handler with one line.
 */
import { createHandler, loadConfig } from 'dependable-call-recording/middleware';
import { Command, renderDefinition } from 'dependable-call-recording/workflow';

export const handler = createHandler({ config: loadConfig(process.env) });

/** The workflow contract is importable too (e.g. to recognise the workflow's commands in logs). */
export const recordingCommands: readonly string[] = Object.values(Command);
export const workflowStates = (): string[] => Object.keys(renderDefinition().States as object);
