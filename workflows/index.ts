export { dagGroupRun } from './group-run.js';
export { pipelineRun } from './pipeline-run.js';
export { predictRun } from './predict-run.js';
export { smokeWorkflow } from './smoke.js';
