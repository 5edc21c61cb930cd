/**
 * Package entry `dependable-call-recording/workflow`: the recording workflow's definition (the ASL file,
 * rendered with settings) and its contract with the SMA Lambda (commands, arguments, task results). The raw
 * ASL file is `dependable-call-recording/recording-workflow.asl.json`.
 */
export * from './definition';
export * from '../lambdas/shared/workflow-contract';
