/** Package entry `dependable-call-recording/construct`: add call recording to an existing SIP media application. */
export { CallRecording, type CallRecordingProps, type CallRecordingSettings, type ExistingRecordingBucket } from './call-recording';
export { SMA_REGIONS, smaRegionProblem } from '../sma-regions';
export type { RecordingConfig } from '../config';
