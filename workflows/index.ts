export { dagGroupRun } from './group-run.js';
export { pipelineRun } from './pipeline-run.js';
export { smokeWorkflow } from './smoke.js';
