import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import { serverBinary } from './paths.js';

export const WORKER_POLICY = 'shelfssl-rw';

/** Read, write and list the shelfssl bucket, nothing else: no other bucket, no bucket creation, no admin. */
export function bucketPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket', 's3:GetBucketLocation'],
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      },
    ],
  });
}

interface McCall {
  args: readonly string[];
  stdin?: string;
}

/**
 * Runs mc with the admin alias in its environment and a private, throw-away config dir: the root secret is
 * never an argument (visible in `ps`) nor written into ~/.mc.
 */
function runMc(
  bin: string,
  env: NodeJS.ProcessEnv,
  configDir: string,
  call: McCall,
  secrets: readonly string[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['--config-dir', configDir, '--quiet', ...call.args], {
      env,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString()).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `mc ${call.args.slice(0, 3).join(' ')} exited with ${code}: ${redact(err.trim(), secrets)}`,
            ),
          ),
    );
    child.stdin.end(call.stdin ?? '');
  });
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, secret) => t.split(secret).join('***'), text);
}

/**
 * Creates (or updates: every step is idempotent) the MinIO user the workers use, limited to the bucket by
 * the `shelfssl-rw` policy. `root` holds MinIO's root credentials; `worker` the user's.
 */
export async function provisionWorkerUser(
  root: Settings['s3'],
  worker: { accessKey: string; secretKey: string },
  scratchParent: string,
): Promise<void> {
  const scheme = root.useSSL ? 'https' : 'http';
  const alias = `${scheme}://${encodeURIComponent(root.accessKey)}:${encodeURIComponent(root.secretKey)}@${root.endPoint}:${root.port}`;
  const env = { ...process.env, MC_HOST_shelf: alias };
  const configDir = mkdtempSync(path.join(scratchParent, 'mc-'));
  const bin = serverBinary('mc');
  const mc = (call: McCall) => runMc(bin, env, configDir, call, [root.secretKey, worker.secretKey]);
  try {
    const policyFile = path.join(configDir, 'policy.json');
    writeFileSync(policyFile, bucketPolicy(root.bucket), { mode: 0o600 });
    await mc({ args: ['admin', 'policy', 'create', 'shelf', WORKER_POLICY, policyFile] });
    // The secret on stdin, not in the argument list.
    await mc({
      args: ['admin', 'user', 'add', 'shelf', worker.accessKey],
      stdin: `${worker.secretKey}\n`,
    });
    await mc({
      args: ['admin', 'policy', 'attach', 'shelf', WORKER_POLICY, '--user', worker.accessKey],
    });
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
}
