import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatZodError, UsageError } from './errors.js';

const PORT_RULE =
  'a port number from 1 to 65535, e.g. SHELFSSL_S3_PORT=9000 (or s3.port: 9000 in the config file)';

/** Connection settings shared by the CLI, workers and tests. One schema, read from env + optional file. */
export const SettingsSchema = z.strictObject({
  temporal: z.strictObject({
    address: z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port, e.g. 127.0.0.1:7233'),
    namespace: z.string().min(1),
    taskQueues: z.strictObject({ cpu: z.string().min(1), gpu: z.string().min(1) }),
  }),
  s3: z.strictObject({
    endPoint: z.string().min(1),
    port: z.coerce.number({ error: PORT_RULE }).int(PORT_RULE).min(1, PORT_RULE).max(65535, PORT_RULE),
    useSSL: z.boolean(),
    accessKey: z
      .string({
        error:
          'missing: set SHELFSSL_S3_ACCESS_KEY, or run `shelfssl infra up` to generate local credentials',
      })
      .min(3, 'too short: S3 access keys have at least 3 characters'),
    secretKey: z
      .string({
        error:
          'missing: set SHELFSSL_S3_SECRET_KEY, or run `shelfssl infra up` to generate local credentials',
      })
      .min(8, 'too short: MinIO needs a secret of at least 8 characters'),
    bucket: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'S3 bucket names are 3-63 lowercase letters, digits, dots, dashes',
      ),
    region: z.string().min(1),
  }),
  dataDir: z.string().min(1),
});
export type Settings = z.infer<typeof SettingsSchema>;

const PartialSettingsSchema = z
  .object({
    temporal: SettingsSchema.shape.temporal.partial().extend({
      taskQueues: SettingsSchema.shape.temporal.shape.taskQueues.partial().optional(),
    }),
    s3: SettingsSchema.shape.s3.partial(),
    dataDir: z.string(),
  })
  .partial()
  .strict();
type PartialSettings = z.infer<typeof PartialSettingsSchema>;

export const DEFAULT_DATA_DIR = '.shelfssl';

/** Where `infra up` writes generated MinIO credentials; read back when env does not set them. */
export function credentialsFile(dataDir: string): string {
  return path.join(dataDir, 'minio', 'credentials.json');
}

const CredentialsSchema = z.strictObject({ accessKey: z.string(), secretKey: z.string() });

function readGeneratedCredentials(dataDir: string): { accessKey?: string; secretKey?: string } {
  try {
    return CredentialsSchema.parse(JSON.parse(readFileSync(credentialsFile(dataDir), 'utf8')));
  } catch {
    return {};
  }
}

function readConfigFile(file: string): PartialSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`config file ${file}: cannot read it (${(err as Error).message})`);
  }
  const raw: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  const parsed = PartialSettingsSchema.safeParse(raw ?? {});
  if (!parsed.success)
    throw new UsageError(formatZodError(parsed.error, `config file ${file}`, raw, PartialSettingsSchema));
  return {
    ...parsed.data,
    ...(parsed.data.dataDir ? { dataDir: path.resolve(path.dirname(file), parsed.data.dataDir) } : {}),
  };
}

function envBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  return v === '1' || v.toLowerCase() === 'true';
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Settings precedence: environment > config file (SHELFSSL_CONFIG or ./shelfssl.config.{yaml,json}) > defaults.
 * Credentials fall back to the file `infra up` generated, so a local user never handles a secret.
 */
export function loadSettings(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  opts: { credentials: 'required' | 'optional' } = { credentials: 'required' },
): Settings {
  const configPath = env.SHELFSSL_CONFIG ?? findDefaultConfig(cwd);
  const file = readConfig(env, cwd);
  const dataDir = resolveDataDir(env, cwd, file);
  const generated = readGeneratedCredentials(dataDir);
  const merged = {
    temporal: {
      address: '127.0.0.1:7233',
      namespace: 'default',
      ...defined({ address: file.temporal?.address, namespace: file.temporal?.namespace }),
      ...defined({ address: env.SHELFSSL_TEMPORAL_ADDRESS, namespace: env.SHELFSSL_TEMPORAL_NAMESPACE }),
      taskQueues: {
        cpu: env.SHELFSSL_QUEUE_CPU ?? file.temporal?.taskQueues?.cpu ?? 'shelfssl-cpu',
        gpu: env.SHELFSSL_QUEUE_GPU ?? file.temporal?.taskQueues?.gpu ?? 'shelfssl-gpu',
      },
    },
    s3: {
      endPoint: '127.0.0.1',
      port: 9000,
      useSSL: false,
      bucket: 'shelfssl',
      region: 'us-east-1',
      // Commands that never talk to S3 (infra down/status) must work before any credentials exist.
      ...(opts.credentials === 'optional' ? { accessKey: 'unset', secretKey: 'unset-unset' } : {}),
      ...generated,
      ...defined(file.s3 ?? {}),
      ...defined({
        endPoint: env.SHELFSSL_S3_ENDPOINT,
        port: env.SHELFSSL_S3_PORT,
        useSSL: envBool(env.SHELFSSL_S3_USE_SSL),
        accessKey: env.SHELFSSL_S3_ACCESS_KEY,
        secretKey: env.SHELFSSL_S3_SECRET_KEY,
        bucket: env.SHELFSSL_S3_BUCKET,
        region: env.SHELFSSL_S3_REGION,
      }),
    },
    dataDir,
  };
  const parsed = SettingsSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const sources = ['SHELFSSL_* environment', ...(configPath ? [configPath] : []), `data dir ${dataDir}`];
  const message = formatZodError(parsed.error, `the configuration (${sources.join(', ')})`, merged);
  // No credentials anywhere is a machine that was never set up, not a typo: exit 1 with the step to take.
  if (parsed.error.issues.every((i) => isMissingCredential(i, merged)))
    throw new Error(
      `${message}\n  ${credentialsFile(dataDir)} does not exist: the local servers were never started for ` +
        'this data dir; run `shelfssl infra up` (or set SHELFSSL_DATA_DIR to the data dir that has them)',
    );
  throw new UsageError(message);
}

function isMissingCredential(issue: z.core.$ZodIssue, merged: { s3: Record<string, unknown> }): boolean {
  const [section, key] = issue.path;
  return section === 's3' && (key === 'accessKey' || key === 'secretKey') && merged.s3[key] === undefined;
}

function readConfig(env: NodeJS.ProcessEnv, cwd: string): PartialSettings {
  const configPath = env.SHELFSSL_CONFIG ?? findDefaultConfig(cwd);
  return configPath ? readConfigFile(configPath) : {};
}

/**
 * The data dir: SHELFSSL_DATA_DIR, else the config file's `dataDir` (relative to that file), else the
 * nearest `.shelfssl` folder in the working directory or above it (as git finds `.git`), else
 * `./.shelfssl`. So `shelfssl status` from a sub-folder uses the project's servers and credentials.
 */
export function resolveDataDir(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  file?: PartialSettings,
) {
  const config = file ?? readConfig(env, cwd);
  if (env.SHELFSSL_DATA_DIR) return path.resolve(cwd, env.SHELFSSL_DATA_DIR);
  if (config.dataDir) return path.resolve(cwd, config.dataDir);
  const project = findUp(cwd, (dir) => isDirectory(path.join(dir, DEFAULT_DATA_DIR)));
  return path.join(project ?? path.resolve(cwd), DEFAULT_DATA_DIR);
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest folder from `start` up to the root for which `found` holds. */
function findUp(start: string, found: (dir: string) => boolean): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (found(dir)) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * For a local `infra up`: when neither env nor config names MinIO credentials, generate random ones once
 * into the data dir (mode 600). Secrets never live in code or in the repository.
 */
export function ensureLocalCredentials(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): void {
  const config = readConfig(env, cwd);
  if (
    (env.SHELFSSL_S3_ACCESS_KEY ?? config.s3?.accessKey) &&
    (env.SHELFSSL_S3_SECRET_KEY ?? config.s3?.secretKey)
  )
    return;
  const file = credentialsFile(resolveDataDir(env, cwd, config));
  if (existsSync(file)) return;
  const creds = {
    accessKey: `shelfssl-${randomBytes(4).toString('hex')}`,
    secretKey: randomBytes(24).toString('base64url'),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
}

const CONFIG_NAMES = ['shelfssl.config.yaml', 'shelfssl.config.yml', 'shelfssl.config.json'];

/** `shelfssl.config.*` in the working directory or the nearest folder above it that has one. */
function findDefaultConfig(cwd: string): string | undefined {
  const dir = findUp(cwd, (d) => CONFIG_NAMES.some((n) => existsSync(path.join(d, n))));
  const name = dir === undefined ? undefined : CONFIG_NAMES.find((n) => existsSync(path.join(dir, n)));
  return dir === undefined || name === undefined ? undefined : path.join(dir, name);
}
