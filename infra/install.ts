import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { serverBinary } from './paths.js';
import { type BuildName, GO_BUILDS } from './versions.js';

export interface InstallResult {
  name: BuildName;
  binary: string;
  version: string;
  cached: boolean;
  seconds: number;
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const collect = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => reject(err));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        log(tail);
        reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${tail}`));
      }
    });
  });
}

async function assertGoAvailable(env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await run('go', ['version'], env, () => {});
  } catch {
    throw new Error(
      'Go is not on PATH. The Temporal and MinIO servers are built from source with `go install`: ' +
        'install Go >= 1.25 (Debian: `apt-get install golang-go` if recent enough, or the Go toolchain from go.dev) and retry.',
    );
  }
}

/** Builds one pinned Go program (a server or mc) with `go install` into the machine cache; a no-op when built. */
export async function installServer(
  name: BuildName,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<InstallResult> {
  const spec = GO_BUILDS[name];
  const binary = serverBinary(name, env);
  const started = Date.now();
  if (existsSync(binary)) {
    return { name, binary, version: spec.version, cached: true, seconds: (Date.now() - started) / 1000 };
  }
  await assertGoAvailable(env);
  mkdirSync(path.dirname(binary), { recursive: true });
  log(
    `building ${name} ${spec.version}: go install ${spec.module}@${spec.version} (first time only; several minutes)`,
  );
  await run(
    'go',
    ['install', `${spec.module}@${spec.version}`],
    { ...env, GOBIN: path.dirname(binary) },
    log,
  );
  return { name, binary, version: spec.version, cached: false, seconds: (Date.now() - started) / 1000 };
}

export async function installAll(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env) {
  // Sequential on purpose: two parallel Go links on a 2-core machine thrash memory and take longer overall.
  const results: InstallResult[] = [];
  for (const name of Object.keys(GO_BUILDS) as BuildName[]) {
    const r = await installServer(name, log, env);
    log(
      `${r.name} ${r.version}: ${r.cached ? 'cached' : 'built'} in ${r.seconds.toFixed(1)} s -> ${r.binary}`,
    );
    results.push(r);
  }
  return results;
}
