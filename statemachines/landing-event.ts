/**
 * Issue 22: every recording object that lands is matched to its call by an event, not a poll. S3 sends an
 * "Object Created" event to EventBridge (the bucket's `EventBridgeConfiguration`), a rule matches recordings under
 * the recording location, and its target starts the workflow (the same state machine) with the input below, which
 * CheckInput routes to the Reconcile branch (FindRecordingCall ...).
 *
 * One definition for both sides: infra/ builds the rule from these, the twin (local/events) matches and transforms
 * its S3 events with them. No imports: plain JSON.
 */

/** What S3 puts in the EventBridge event's `detail` for "Object Created" (Amazon S3 user guide, "EventBridge event message structure"). */
export interface ObjectCreatedDetail {
  version: string;
  bucket: { name: string };
  object: { key: string; size?: number; etag?: string; 'version-id'?: string; sequencer?: string };
  'request-id'?: string;
  requester?: string;
  'source-ip-address'?: string;
  /** PutObject | POST Object | CopyObject | CompleteMultipartUpload */
  reason?: string;
}

/** An EventBridge event as S3 sends it. */
export interface S3ObjectCreatedEvent {
  version: '0';
  id: string;
  'detail-type': 'Object Created';
  source: 'aws.s3';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: ObjectCreatedDetail;
}

/**
 * The rule's event pattern: Object Created in this bucket, keys under the prefix ending in `.wav` (the SMA writes
 * WAV recordings; the workflow's own `.manifest.json` objects must not start it). Without a prefix, any `.wav` in
 * the bucket (the twin: scenarios choose their own prefixes).
 */
export function landingEventPattern(bucketName: string, prefix?: string): Record<string, unknown> {
  const key = prefix ? [{ wildcard: `${prefix.replace(/\/$/, '').replace(/\*/g, '\\*')}/*.wav` }] : [{ suffix: '.wav' }];
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: { bucket: { name: [bucketName] }, object: { key } },
  };
}

/** The rule target's input transformer: paths taken from the event, and the input they make. */
export const RECONCILE_INPUT_PATHS = { detail: '$.detail', time: '$.time', eventId: '$.id' } as const;

export interface ReconcileInput {
  landed: { detail: ObjectCreatedDetail; time: string; eventId: string };
}

/** What the input transformer makes of an event (the twin applies it; infra/ writes the same as an InputTransformer). */
export function reconcileInputOf(event: S3ObjectCreatedEvent): ReconcileInput {
  return { landed: { detail: event.detail, time: event.time, eventId: event.id } };
}
