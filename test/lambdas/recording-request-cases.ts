/**
 * One table of recording-request inputs shared by every implementation of the validation rules:
 * lambdas/shared/recording-request.ts (test/lambdas/recording-request.test.ts) and the workflow's JSONata
 * ValidateInput state. `field` is the field the error must name (the message starts with `${field}: `), or
 * null when the input is valid. Every invalid case breaks exactly one field, so every implementation, whether
 * it stops at the first problem or lists them all, must name that same field.
 */
export interface RecordingRequestCase {
  name: string;
  input: unknown;
  field: string | null;
}

export const VALID_REQUEST = {
  sipMediaApplicationId: 'feb37a7e-2b66-49fb-b2dd-30f4780dc36d',
  transactionId: '1322a4e7-c106-4e70-aaaf-a8fa4c77c0cb',
  callId: '72cbec69-f098-45d8-9ad6-e26cb9af663a',
  track: 'BOTH',
  location: 'my-recording-bucket/technicalSupport/english',
} as const;

const BUCKET = 'my-recording-bucket';
const withField = (field: string, value: unknown): Record<string, unknown> => ({ ...VALID_REQUEST, [field]: value });
const without = (field: keyof typeof VALID_REQUEST): Record<string, unknown> => {
  const copy: Record<string, unknown> = { ...VALID_REQUEST };
  delete copy[field];
  return copy;
};
const location = (name: string, value: unknown, valid: boolean): RecordingRequestCase => ({
  name: `location ${name}`,
  input: withField('location', value),
  field: valid ? null : 'location',
});

export const recordingRequestCases: RecordingRequestCase[] = [
  { name: 'a typical request', input: { ...VALID_REQUEST }, field: null },
  { name: 'with a consent text', input: withField('consentText', 'This call is recorded for quality and compliance.'), field: null },
  { name: 'consent text of exactly 1,000 characters', input: withField('consentText', 'x'.repeat(1000)), field: null },
  // Characters are code points (JSONata's $length): 600 emoji are 600 characters, not 1,200 UTF-16 units.
  { name: 'consent text of 600 emoji', input: withField('consentText', '😀'.repeat(600)), field: null },
  { name: 'consent text of 1,000 emoji', input: withField('consentText', '😀'.repeat(1000)), field: null },
  { name: 'consent text of 1,001 emoji', input: withField('consentText', '😀'.repeat(1001)), field: 'consentText' },
  { name: 'track INCOMING', input: withField('track', 'INCOMING'), field: null },
  { name: 'track OUTGOING', input: withField('track', 'OUTGOING'), field: null },
  { name: 'ids with ".", "_", ":" and "-"', input: { ...VALID_REQUEST, callId: 'leg_A.1:2-3', transactionId: 'tx.1_2:3-4' }, field: null },
  {
    name: 'ids of exactly 128 characters',
    input: { ...VALID_REQUEST, callId: 'c'.repeat(128), sipMediaApplicationId: 's'.repeat(128) },
    field: null,
  },

  // bucket naming rules (general purpose buckets)
  location('a bare bucket', BUCKET, true),
  location('a bucket with a trailing "/"', `${BUCKET}/`, true),
  location('a 3-character bucket', 'abc', true),
  location('a 63-character bucket', 'a'.repeat(63), true),
  location('a bucket with periods', 'my.recording.bucket', true),
  location('a bucket starting with a digit', '1st-recordings', true),
  location('a bucket that only looks like the start of an IP address', '192.168.5.4x', true),
  location('a bucket with three dotted numbers', '192.168.5', true),
  location('a bucket starting with "xn-" (one dash)', 'xn-recordings', true),
  location('a bucket with "-s3alias" inside, not at the end', 'my-s3alias-bucket', true),
  location('a bucket starting with "sthree" (no dash)', 'sthreebucket', true),
  location('a 2-character bucket', 'ab', false),
  location('a 64-character bucket', 'a'.repeat(64), false),
  location('an empty bucket before the prefix', '/calls', false),
  location('a bucket with upper case', 'My-Recording-Bucket', false),
  location('a bucket with an underscore', 'my_recording_bucket', false),
  location('a bucket starting with "-"', '-recordings', false),
  location('a bucket ending with "."', 'recordings.', false),
  location('a bucket with adjacent periods', 'my..recordings', false),
  location('a bucket formatted as an IP address', '192.168.5.4', false),
  location('a bucket starting with xn--', 'xn--recordings', false),
  location('a bucket starting with sthree-', 'sthree-recordings', false),
  location('a bucket starting with amzn-s3-demo-', 'amzn-s3-demo-recordings', false),
  location('a bucket ending with -s3alias', 'recordings-s3alias', false),
  location('a bucket ending with --ol-s3', 'recordings--ol-s3', false),
  location('a bucket ending with .mrap', 'recordings.mrap', false),
  location('a bucket ending with --x-s3', 'recordings--x-s3', false),
  location('a bucket ending with --table-s3', 'recordings--table-s3', false),

  // key prefix rules
  location('a prefix of exactly 512 characters', `${BUCKET}/${'p'.repeat(512)}`, true),
  location('a prefix with every safe character', `${BUCKET}/calls/2024_Q1/(archive)!*'.-x`, true),
  location('a prefix with a "..." segment (not "..")', `${BUCKET}/a/.../b`, true),
  location('a prefix with "..." inside a segment', `${BUCKET}/v1..2/x`, true),
  location('a prefix of 513 characters', `${BUCKET}/${'p'.repeat(513)}`, false),
  location('a prefix starting with "/"', `${BUCKET}//calls`, false),
  location('a prefix that is a ".." segment', `${BUCKET}/../secrets`, false),
  location('a prefix with a ".." segment inside', `${BUCKET}/calls/../secrets`, false),
  location('a prefix ending with a ".." segment', `${BUCKET}/calls/..`, false),
  location('a prefix that is a "." segment', `${BUCKET}/.`, false),
  location('a prefix with an empty segment', `${BUCKET}/calls//en`, false),
  location('a prefix ending with "//"', `${BUCKET}/calls//`, false),
  location('a prefix with a space', `${BUCKET}/support calls`, false),
  location('a prefix with "?"', `${BUCKET}/calls?x=1`, false),
  location('a prefix with "#"', `${BUCKET}/calls#1`, false),
  location('a prefix with a backslash', `${BUCKET}/calls\\en`, false),
  location('a prefix with a non-ASCII letter', `${BUCKET}/appels/réception`, false),
  location('a prefix with a newline', `${BUCKET}/calls\n`, false),
  location('empty', '', false),
  location('not a string', 42, false),
  { name: 'location missing', input: without('location'), field: 'location' },

  // track
  { name: 'track in lower case', input: withField('track', 'both'), field: 'track' },
  { name: 'track empty', input: withField('track', ''), field: 'track' },
  { name: 'track unknown', input: withField('track', 'STEREO'), field: 'track' },
  { name: 'track not a string', input: withField('track', 1), field: 'track' },
  { name: 'track missing', input: without('track'), field: 'track' },

  // ids
  { name: 'callId empty', input: withField('callId', ''), field: 'callId' },
  { name: 'callId missing', input: without('callId'), field: 'callId' },
  { name: 'callId of 129 characters', input: withField('callId', 'c'.repeat(129)), field: 'callId' },
  { name: 'callId with "/"', input: withField('callId', 'leg/a'), field: 'callId' },
  { name: 'callId with a space', input: withField('callId', 'leg a'), field: 'callId' },
  { name: 'callId not a string', input: withField('callId', 12345), field: 'callId' },
  { name: 'transactionId missing', input: without('transactionId'), field: 'transactionId' },
  { name: 'transactionId with "#"', input: withField('transactionId', 'tx#1'), field: 'transactionId' },
  { name: 'sipMediaApplicationId missing', input: without('sipMediaApplicationId'), field: 'sipMediaApplicationId' },
  { name: 'sipMediaApplicationId not a string', input: withField('sipMediaApplicationId', 42), field: 'sipMediaApplicationId' },

  // consent text
  { name: 'consentText empty', input: withField('consentText', ''), field: 'consentText' },
  { name: 'consentText blank', input: withField('consentText', '   '), field: 'consentText' },
  { name: 'consentText of 1,001 characters', input: withField('consentText', 'x'.repeat(1001)), field: 'consentText' },
  { name: 'consentText not a string', input: withField('consentText', 42), field: 'consentText' },
  { name: 'consentText null', input: withField('consentText', null), field: 'consentText' },

  // the opt-out key
  { name: 'optOutDigit 9', input: withField('optOutDigit', '9'), field: null },
  { name: 'optOutDigit *', input: withField('optOutDigit', '*'), field: null },
  { name: 'optOutDigit #', input: withField('optOutDigit', '#'), field: 'optOutDigit' },
  { name: 'optOutDigit of two keys', input: withField('optOutDigit', '12'), field: 'optOutDigit' },
  { name: 'optOutDigit a number', input: withField('optOutDigit', 9), field: 'optOutDigit' },
  { name: 'optOutDigit empty', input: withField('optOutDigit', ''), field: 'optOutDigit' },

  // the input itself
  { name: 'input null', input: null, field: 'input' },
  { name: 'input a string', input: 'StartRecording', field: 'input' },
  { name: 'input an array', input: [VALID_REQUEST], field: 'input' },
  { name: 'input a number', input: 42, field: 'input' },
];
