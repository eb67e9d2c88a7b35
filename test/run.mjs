// The test harness: starts a private Temporal dev server and MinIO on free loopback ports with a temp
// data dir, runs every test file against them with node's test runner, and always tears them down.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../dist/infra/ports.js';
import { startMinio, startTemporal } from '../dist/infra/servers.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-test-'));
const servers = [];

async function stopAll() {
  for (const s of servers.splice(0)) {
    s.child.kill('SIGTERM');
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        s.child.kill('SIGKILL');
        resolve();
      }, 5000);
      s.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
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
  const [tPort, uiPort, mPort, cPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const creds = { accessKey: 'shelfssl-test', secretKey: `test-${process.pid}-${Date.now()}` };
  servers.push(
    await startTemporal({
      port: tPort,
      uiPort,
      dbFile: path.join(root, 'temporal.db'),
      logFile: path.join(root, 'temporal.log'),
      detached: false,
    }),
  );
  servers.push(
    await startMinio({
      port: mPort,
      consolePort: cPort,
      dataDir: path.join(root, 'minio'),
      logFile: path.join(root, 'minio.log'),
      detached: false,
      ...creds,
    }),
  );
  console.log(`harness: temporal 127.0.0.1:${tPort}, minio 127.0.0.1:${mPort}, dir ${root}`);
  const env = {
    ...process.env,
    SHELFSSL_TEMPORAL_ADDRESS: `127.0.0.1:${tPort}`,
    SHELFSSL_S3_ENDPOINT: '127.0.0.1',
    SHELFSSL_S3_PORT: String(mPort),
    SHELFSSL_S3_ACCESS_KEY: creds.accessKey,
    SHELFSSL_S3_SECRET_KEY: creds.secretKey,
    SHELFSSL_S3_BUCKET: 'shelfssl-test',
    SHELFSSL_DATA_DIR: path.join(root, 'data'),
    SHELFSSL_TEST_ROOT: root,
  };
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
