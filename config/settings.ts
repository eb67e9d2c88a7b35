import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatZodError, UsageError } from './errors.js';

/** Connection settings shared by the CLI, workers and tests. One schema, read from env + optional file. */
export const SettingsSchema = z.strictObject({
  temporal: z.strictObject({
    address: z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port, e.g. 127.0.0.1:7233'),
    namespace: z.string().min(1),
    taskQueues: z.strictObject({ cpu: z.string().min(1), gpu: z.string().min(1) }),
  }),
  s3: z.strictObject({
    endPoint: z.string().min(1),
    port: z.coerce.number().int().min(1).max(65535),
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
  if (!parsed.success) throw new UsageError(formatZodError(parsed.error, `config file ${file}`, raw));
  return parsed.data;
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
  if (!parsed.success) throw new UsageError(formatZodError(parsed.error, 'shelfssl settings', merged));
  return parsed.data;
}

function readConfig(env: NodeJS.ProcessEnv, cwd: string): PartialSettings {
  const configPath = env.SHELFSSL_CONFIG ?? findDefaultConfig(cwd);
  return configPath ? readConfigFile(configPath) : {};
}

export function resolveDataDir(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  file?: PartialSettings,
) {
  const config = file ?? readConfig(env, cwd);
  return path.resolve(cwd, env.SHELFSSL_DATA_DIR ?? config.dataDir ?? DEFAULT_DATA_DIR);
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

function findDefaultConfig(cwd: string): string | undefined {
  for (const name of ['shelfssl.config.yaml', 'shelfssl.config.yml', 'shelfssl.config.json']) {
    const candidate = path.join(cwd, name);
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      // not present: try the next name
    }
  }
  return undefined;
}
