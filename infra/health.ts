import { Connection } from '@temporalio/client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function temporalHealthy(address: string): Promise<boolean> {
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ address, connectTimeout: 1000 });
    const res = await conn.healthService.check({});
    return res.status === 1; // SERVING
  } catch {
    return false;
  } finally {
    await conn?.close().catch(() => {});
  }
}

export async function minioHealthy(endPoint: string, port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://${endPoint}:${port}/minio/health/ready`, {
      signal: AbortSignal.timeout(1000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** Polls `check` until it passes; on timeout throws with a pointer to the log to read. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; logFile?: string; alive?: () => boolean },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    if (opts.alive && !opts.alive()) break;
    await sleep(250);
  }
  const hint = opts.logFile ? ` (see ${opts.logFile})` : '';
  throw new Error(`${what} did not become healthy within ${opts.timeoutMs / 1000} s${hint}`);
}
