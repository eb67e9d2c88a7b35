// The test harness: starts a private Temporal dev server and MinIO on free loopback ports with a temp
// data dir, runs every test file against them with node's test runner, and always tears them down.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPrivateCluster } from '../dist/infra/private-cluster.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-test-'));
let cluster;

async function stopAll() {
  await cluster?.stop();
  if (!process.env.SHELFSSL_KEEP_TEST_DIR) rmSync(root, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopAll().finally(() => process.exit(130));
  });
}

/** Node 20 treats every .js under a test/ folder as a test file; run only *.test.js (support files are not tests). */
function testFiles(targets) {
  return targets.flatMap((t) =>
    statSync(t).isDirectory()
      ? readdirSync(t, { recursive: true })
          .filter((f) => f.endsWith('.test.js'))
          .sort()
          .map((f) => path.join(t, f))
      : [t],
  );
}

async function main() {
  cluster = await startPrivateCluster(root, 'shelfssl-test');
  console.log(
    `harness: temporal ${cluster.env.SHELFSSL_TEMPORAL_ADDRESS}, minio :${cluster.env.SHELFSSL_S3_PORT}, dir ${root}`,
  );
  // Tests make their datasets and models in the temp dir: the workers of this run accept them there (and in
  // the working tree); test/security narrows the roots itself to prove the rest is refused.
  const dataRoots = [os.tmpdir(), process.cwd(), 's3://shelfssl-test/datasets/'].join(',');
  const env = { ...process.env, ...cluster.env, SHELFSSL_TEST_ROOT: root, SHELFSSL_DATA_ROOTS: dataRoots };
  const targets = testFiles(process.argv.length > 2 ? process.argv.slice(2) : ['dist/test']);
  const args = ['--test', '--test-concurrency=1', ...targets];
  const child = spawn(process.execPath, args, { env, stdio: 'inherit' });
  return await new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error('harness failed:', err);
} finally {
  await stopAll();
}
process.exit(code);
