/** The local Step Functions twin: see engine.ts for what is supported and what is refused. */
export { StepFunctionsEngine, type StepFunctionsEngineOptions, type ExecutionInfo } from './engine';
export { startStepFunctionsServer, type StepFunctionsServer, type StepFunctionsServerOptions } from './server';
export { AwsSdkInvoker, DEFAULT_SERVICES, type AwsSdkInvokerOptions, type ServiceBinding } from './aws-sdk-invoker';
export { TaskFailedError, SfnApiError, StatesError, StatesErrors, errorMatches } from './errors';
export type { TaskInvoker, TaskInvokeRequest, ExecutionStatus, Logger } from './types';
export type { HistoryEventRecord } from './history';
