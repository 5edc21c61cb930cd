/** lambdas/shared/recording-request.ts against the shared table (recording-request-cases.ts), plus its helpers. */
import {
  MAX_ID_LENGTH,
  MAX_PREFIX_LENGTH,
  RecordingRequestError,
  bucketProblem,
  parseId,
  parseLocation,
  parseRecordingRequest,
  parseTrack,
  prefixProblem,
} from '../../lambdas/shared/recording-request';
import { VALID_REQUEST, recordingRequestCases } from './recording-request-cases';

describe('the shared validation table', () => {
  it('has valid and invalid cases for every field, and unique names', () => {
    const fields = new Set(recordingRequestCases.map((c) => c.field));
    for (const f of [null, 'location', 'track', 'callId', 'transactionId', 'sipMediaApplicationId', 'consentText', 'input'])
      expect(fields).toContain(f);
    const names = recordingRequestCases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(recordingRequestCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if (c.field === null) {
      const parsed = parseRecordingRequest(c.input);
      expect(parsed).toEqual(c.input);
      return;
    }
    let error: unknown;
    try {
      parseRecordingRequest(c.input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecordingRequestError);
    expect((error as RecordingRequestError).field).toBe(c.field);
    expect((error as RecordingRequestError).message.startsWith(`${c.field}: `)).toBe(true);
  });
});

describe('parseRecordingRequest', () => {
  it('returns only the known fields (extra input is not passed on)', () => {
    expect(parseRecordingRequest({ ...VALID_REQUEST, extra: 'x' })).toEqual(VALID_REQUEST);
  });
});

describe('parseLocation', () => {
  it.each([
    ['my-recording-bucket', { bucket: 'my-recording-bucket', prefix: '' }],
    ['my-recording-bucket/', { bucket: 'my-recording-bucket', prefix: '' }],
    ['my-recording-bucket/technicalSupport/english', { bucket: 'my-recording-bucket', prefix: 'technicalSupport/english' }],
    ['my-recording-bucket/technicalSupport/english/', { bucket: 'my-recording-bucket', prefix: 'technicalSupport/english' }],
  ])('%s', (location, parts) => {
    expect(parseLocation(location)).toEqual(parts);
  });

  it('names the field it was given and quotes the bucket', () => {
    expect(() => parseLocation('Bad_Bucket/x', 'RECORDING_LOCATION')).toThrow(
      /^RECORDING_LOCATION: bucket name may contain only .* \("Bad_Bucket"\)$/,
    );
  });
});

describe('bucketProblem / prefixProblem messages', () => {
  it.each([
    ['ab', /3-63 characters, got 2/],
    ['a'.repeat(64), /3-63 characters, got 64/],
    ['UPPER', /only lowercase letters/],
    ['a..b', /two adjacent periods/],
    ['10.0.0.1', /IP address/],
    ['xn--abc', /must not start with xn--/],
    ['abc-s3alias', /reserved suffix/],
  ])('bucket %s', (bucket, message) => {
    expect(bucketProblem(bucket)).toMatch(message);
  });

  it('a valid bucket has no problem', () => {
    expect(bucketProblem('my-recording-bucket')).toBeNull();
  });

  it.each([
    ['', null],
    ['p'.repeat(MAX_PREFIX_LENGTH), null],
    ['p'.repeat(MAX_PREFIX_LENGTH + 1), /at most 512 characters, got 513/],
    ['/calls', /must not start with "\/"/],
    ['a b', /S3 safe characters/],
    ['a/../b', /"\.\." path segments/],
    ['a//b', /empty/],
    ['a/', null],
  ])('prefix %j', (prefix, expected) => {
    if (expected === null) expect(prefixProblem(prefix)).toBeNull();
    else expect(prefixProblem(prefix)).toMatch(expected);
  });
});

describe('parseTrack / parseId', () => {
  it('tracks', () => {
    expect(parseTrack('BOTH')).toBe('BOTH');
    expect(() => parseTrack('Both')).toThrow('track: must be one of BOTH, INCOMING, OUTGOING, got "Both"');
    expect(() => parseTrack(undefined, 'RECORDING_TRACK')).toThrow(/^RECORDING_TRACK: /);
  });

  it('ids', () => {
    expect(parseId('a'.repeat(MAX_ID_LENGTH), 'callId')).toHaveLength(128);
    expect(() => parseId('a'.repeat(MAX_ID_LENGTH + 1), 'callId')).toThrow('callId: must be at most 128 characters, got 129');
    expect(() => parseId('', 'callId')).toThrow('callId: must be a non-empty string');
    expect(() => parseId('a/b', 'callId')).toThrow(/callId: may contain only/);
  });
});
