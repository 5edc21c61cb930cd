/**
 * Package entry `dependable-call-recording/workflow`: the recording workflow's definition (the ASL file,
 * rendered with settings) and its contract with the SMA Lambda (commands, arguments, task results). The raw
 * ASL file is `dependable-call-recording/recording-workflow.asl.json`.
 */
export * from './definition';
export * from '../lambdas/shared/workflow-contract';
/** Pause, resume or stop a live call's recording from an application (the CLI's pause|resume|stop use it too). */
export { controlRequestArguments, requestRecordingControl, type ControlRequestInput } from '../lambdas/shared/recording-control';
