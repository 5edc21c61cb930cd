/**
 * The workflow's ValidateInput (JSONata) and lambdas/shared/recording-request.ts (TypeScript) implement the
 * same rules twice: the workflow must refuse bad input before asking the SMA anything, and the Lambda and CLI
 * before sending. One table of cases (test/lambdas/recording-request-cases.ts) runs through both.
 */
import { recordingRequestCases } from '../lambdas/recording-request-cases';
import { parseRecordingRequest } from '../../lambdas/shared/recording-request';
import { runWorkflow } from './harness';

function typescriptField(input: unknown): string | null {
  try {
    parseRecordingRequest(input);
    return null;
  } catch (e) {
    return (e as { field?: string }).field ?? 'unknown';
  }
}

describe.each(recordingRequestCases.map((c) => [c.name, c] as const))('%s', (_, c) => {
  it(`TypeScript names ${c.field ?? 'nothing'}`, () => {
    expect(typescriptField(c.input)).toBe(c.field);
  });

  it(`the workflow ${c.field ? 'ends in INVALID_INPUT naming ' + c.field : 'accepts it'}`, async () => {
    const run = await runWorkflow({}, c.input, {}, 2000);
    if (c.field === null) {
      expect(run.info.error).not.toBe('INVALID_INPUT');
      expect(run.statesEntered).toContain('StartRecording');
    } else {
      expect(run.info.error).toBe('INVALID_INPUT');
      const fields = (run.info.cause ?? '').split('; ').map((p) => p.split(':')[0]);
      expect(fields).toEqual([c.field]);
      expect(run.requests).toHaveLength(0); // nothing was asked of the SMA
      expect(run.info.stateTransitions).toBe(3);
    }
  });
});
