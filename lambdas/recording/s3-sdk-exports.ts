/**
 * What the recording uses of @aws-sdk/client-s3 (the hand-off mailbox, mailbox.ts), as static ES exports: s3-sdk.ts
 * requires this module, so the bundler keeps only these commands and the client lazy (see sfn-sdk.ts).
 */
export { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
