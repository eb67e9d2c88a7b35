// `npm run build` step: bundles the workflow code once, so a worker (and `shelfssl run`) starts without
// webpack. The identity file records which workflow code it was built from (workers/workflow-bundle.ts).
import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { BUNDLE_IDENTITY_PATH, BUNDLE_PATH, WORKFLOWS_PATH, workflowCodeDigest } from './workflow-bundle.js';

const started = Date.now();
const { code } = await bundleWorkflowCode({
  workflowsPath: WORKFLOWS_PATH,
  logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
});
await writeFile(BUNDLE_PATH, code);
await writeFile(BUNDLE_IDENTITY_PATH, `${await workflowCodeDigest()}\n`);
console.log(
  `workflow bundle: ${BUNDLE_PATH} (${(code.length / 1e6).toFixed(1)} MB, ${Date.now() - started} ms)`,
);
