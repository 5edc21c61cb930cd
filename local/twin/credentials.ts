/**
 * The one credential pair every client of the twin uses (its own clients, the CLI's `--local`, loopback
 * endpoints): s3rver accepts only its own access key id (any other gets InvalidAccessKeyId), and the twin's
 * other servers ignore signatures. No imports, so the CLI can take it without loading the twin.
 */
export const TWIN_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
