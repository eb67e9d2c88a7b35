import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatZodError, UsageError } from './errors.js';

const TemporalTlsSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    serverRootCACertificate: z.string().min(1).optional(),
    clientCert: z.string().min(1).optional(),
    clientKey: z.string().min(1).optional(),
    serverNameOverride: z.string().min(1).optional(),
  })
  .refine((t) => (t.clientCert === undefined) === (t.clientKey === undefined), {
    message: 'mTLS needs both clientCert and clientKey (PEM file paths)',
  });

const PORT_RULE =
  'a port number from 1 to 65535, e.g. SHELFSSL_S3_PORT=9000 (or s3.port: 9000 in the config file)';

/** Connection settings shared by the CLI, workers and tests. One schema, read from env + optional file. */
export const SettingsSchema = z.strictObject({
  temporal: z.strictObject({
    address: z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port, e.g. 127.0.0.1:7233'),
    namespace: z.string().min(1),
    taskQueues: z.strictObject({ cpu: z.string().min(1), gpu: z.string().min(1) }),
    /**
     * TLS to Temporal: `enabled` alone uses the system CAs (Temporal Cloud); `serverRootCACertificate` a
     * private CA; `clientCert` + `clientKey` mTLS. Paths to PEM files.
     */
    tls: TemporalTlsSchema.optional(),
    /** An API key (Temporal Cloud, or a server with an authorizer); implies TLS unless tls.enabled is false. */
    apiKey: z.string().min(1).optional(),
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
  /**
   * Where stage activities may read datasets and imported models: local folders (absolute) and
   * `s3://bucket/prefix` entries. A workflow input naming anything else fails, so a Temporal client cannot
   * make a worker read arbitrary files or buckets.
   */
  dataRoots: z.array(z.string().min(1)).min(1).max(64),
  /**
   * Signs and verifies manifests, checkpoint pointers and saved training state (store/signing.ts). Every
   * worker and CLI of one store needs the same key; it never goes into the bucket.
   */
  manifestKey: z.string().min(32, 'too short: use at least 32 characters, e.g. `openssl rand -hex 32`'),
});
export type Settings = z.infer<typeof SettingsSchema>;

const PartialSettingsSchema = z
  .object({
    temporal: SettingsSchema.shape.temporal.partial().extend({
      taskQueues: SettingsSchema.shape.temporal.shape.taskQueues.partial().optional(),
      tls: z
        .strictObject({
          enabled: z.boolean(),
          serverRootCACertificate: z.string(),
          clientCert: z.string(),
          clientKey: z.string(),
          serverNameOverride: z.string(),
        })
        .partial()
        .optional(),
    }),
    s3: SettingsSchema.shape.s3.partial(),
    dataDir: z.string(),
    dataRoots: z.array(z.string().min(1)).max(64),
    manifestKey: z.string(),
  })
  .partial()
  .strict();
type PartialSettings = z.infer<typeof PartialSettingsSchema>;

export const DEFAULT_DATA_DIR = '.shelfssl';

/** Where `infra up` writes generated MinIO credentials; read back when env does not set them. */
export function credentialsFile(dataDir: string): string {
  return path.join(dataDir, 'minio', 'credentials.json');
}

/**
 * Where `infra up` writes the credentials of the MinIO user it limits to the shelfssl bucket: what every
 * command but `infra` uses, so workers never hold the root credentials.
 */
export function workerCredentialsFile(dataDir: string): string {
  return path.join(dataDir, 'minio', 'worker-credentials.json');
}

/** Whose generated credentials a command uses: `infra` administers MinIO (root), the rest read and write the bucket. */
export type S3Identity = 'root' | 'worker';

const CredentialsSchema = z.strictObject({ accessKey: z.string(), secretKey: z.string() });

/** Where `infra up` writes the generated manifest signing key. */
export function manifestKeyFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'manifest.key');
}

/**
 * Reads a secret file `infra up` generated (undefined when absent), refusing one others can read or write:
 * a secret another local user could read is no longer one, and one they could write lets them choose it.
 */
function readPrivateFile(file: string): string | undefined {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) !== 0) {
    throw new UsageError(
      `${file} has mode ${mode.toString(8)}: other users can read or change it. Run \`chmod 600 ${file}\` ` +
        '(and consider a new secret: remove the file, and for credentials the MinIO data, then `shelfssl infra up`)',
    );
  }
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The worker's generated credentials where `infra up` made them, else (older data dirs) the root ones. */
function readGeneratedCredentials(
  dataDir: string,
  identity: S3Identity,
): { accessKey?: string; secretKey?: string } {
  const worker = identity === 'worker' ? readCredentialsFile(workerCredentialsFile(dataDir)) : {};
  return worker.accessKey === undefined ? readCredentialsFile(credentialsFile(dataDir)) : worker;
}

/** The bucket-limited user's credentials `infra up` generated, if it did. */
export function readWorkerCredentials(dataDir: string): { accessKey: string; secretKey: string } | undefined {
  const creds = readCredentialsFile(workerCredentialsFile(dataDir));
  return creds.accessKey !== undefined && creds.secretKey !== undefined
    ? { accessKey: creds.accessKey, secretKey: creds.secretKey }
    : undefined;
}

function readCredentialsFile(file: string): { accessKey?: string; secretKey?: string } {
  const text = readPrivateFile(file);
  if (text === undefined) return {};
  try {
    return CredentialsSchema.parse(JSON.parse(text));
  } catch {
    return {};
  }
}

/**
 * SHELFSSL_MANIFEST_KEY > `manifestKey` in the settings file > the key `infra up` generated > one derived
 * from the S3 secret key (so a setup that shares one S3 secret needs nothing more; give an explicit key when
 * others hold S3 credentials that can write the bucket).
 */
function resolveManifestKey(
  env: NodeJS.ProcessEnv,
  file: PartialSettings,
  dataDir: string,
  s3SecretKey: unknown,
): string | undefined {
  const given =
    env.SHELFSSL_MANIFEST_KEY ?? file.manifestKey ?? readPrivateFile(manifestKeyFile(dataDir))?.trim();
  if (given !== undefined) return given;
  if (typeof s3SecretKey !== 'string') return undefined;
  return createHmac('sha256', 'shelfssl manifest key v1').update(s3SecretKey).digest('hex');
}

function readConfigFile(file: string): PartialSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`config file ${file}: cannot read it (${(err as Error).message})`);
  }
  const raw = parseConfigText(file, text);
  const parsed = PartialSettingsSchema.safeParse(raw ?? {});
  if (!parsed.success)
    throw new UsageError(formatZodError(parsed.error, `config file ${file}`, raw, PartialSettingsSchema));
  return {
    ...parsed.data,
    ...(parsed.data.dataDir ? { dataDir: path.resolve(path.dirname(file), parsed.data.dataDir) } : {}),
  };
}

/**
 * JSON.parse and the YAML parser quote the offending text in their messages, which may be the line with a
 * secret: only the first line (the YAML parser's position) or the position is kept.
 */
function parseConfigText(file: string, text: string): unknown {
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const first = (err as Error).message.split('\n')[0] ?? '';
    const position = /position \d+|line \d+, column \d+/.exec(first)?.[0];
    throw new UsageError(
      `config file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}` +
        (position ? ` (at ${position})` : '') +
        ': fix its syntax',
    );
  }
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
  opts: { credentials: 'required' | 'optional'; identity?: S3Identity } = { credentials: 'required' },
): Settings {
  const configPath = env.SHELFSSL_CONFIG ?? findDefaultConfig(cwd);
  const file = readConfig(env, cwd);
  const dataDir = resolveDataDir(env, cwd, file);
  const generated = readGeneratedCredentials(dataDir, opts.identity ?? 'worker');
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
      ...temporalSecurity(env, cwd, file),
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
    dataRoots: resolveDataRoots(env, cwd, file, dataDir),
    manifestKey: '',
  };
  const key = resolveManifestKey(env, file, dataDir, merged.s3.secretKey);
  if (key !== undefined) merged.manifestKey = key;
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

/** An S3 key that is nowhere, or the manifest key left empty because there was no S3 secret to derive it from. */
function isMissingCredential(
  issue: z.core.$ZodIssue,
  merged: { s3: Record<string, unknown>; manifestKey: string },
): boolean {
  const [section, key] = issue.path;
  if (section === 'manifestKey') return merged.manifestKey === '' && merged.s3.secretKey === undefined;
  return section === 's3' && (key === 'accessKey' || key === 'secretKey') && merged.s3[key] === undefined;
}

/**
 * TLS and API key for Temporal: env SHELFSSL_TEMPORAL_TLS (true/false), SHELFSSL_TEMPORAL_TLS_CA,
 * SHELFSSL_TEMPORAL_TLS_CERT, SHELFSSL_TEMPORAL_TLS_KEY, SHELFSSL_TEMPORAL_TLS_SERVER_NAME,
 * SHELFSSL_TEMPORAL_API_KEY over `temporal.tls.*` / `temporal.apiKey` in the file. Paths become absolute.
 */
function temporalSecurity(
  env: NodeJS.ProcessEnv,
  cwd: string,
  file: PartialSettings,
): { tls?: Record<string, unknown>; apiKey?: string } {
  const abs = (p: string | undefined) => (p === undefined ? undefined : path.resolve(cwd, p));
  const fromFile = file.temporal?.tls ?? {};
  const tls = {
    ...fromFile,
    ...defined({
      enabled: envBool(env.SHELFSSL_TEMPORAL_TLS),
      serverRootCACertificate: env.SHELFSSL_TEMPORAL_TLS_CA,
      clientCert: env.SHELFSSL_TEMPORAL_TLS_CERT,
      clientKey: env.SHELFSSL_TEMPORAL_TLS_KEY,
      serverNameOverride: env.SHELFSSL_TEMPORAL_TLS_SERVER_NAME,
    }),
  };
  const paths = defined({
    serverRootCACertificate: abs(tls.serverRootCACertificate),
    clientCert: abs(tls.clientCert),
    clientKey: abs(tls.clientKey),
  });
  const apiKey = env.SHELFSSL_TEMPORAL_API_KEY ?? file.temporal?.apiKey;
  return {
    ...(Object.keys(tls).length > 0 ? { tls: { ...tls, ...paths } } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
  };
}

/** Separates SHELFSSL_DATA_ROOTS entries (not ':', which s3:// entries contain). */
export const DATA_ROOTS_SEPARATOR = ',';

/**
 * SHELFSSL_DATA_ROOTS > `dataRoots` in the settings file > the data dir, the working directory (unless it
 * is `/` or the home folder) and `s3://<bucket>/datasets/`. Local entries become absolute (relative to the
 * working directory).
 */
function resolveDataRoots(
  env: NodeJS.ProcessEnv,
  cwd: string,
  file: PartialSettings,
  dataDir: string,
): string[] {
  const bucket = env.SHELFSSL_S3_BUCKET ?? file.s3?.bucket ?? 'shelfssl';
  const given = env.SHELFSSL_DATA_ROOTS?.split(DATA_ROOTS_SEPARATOR).filter((r) => r.trim() !== '');
  // A worker started from / or a home folder (a service, a login shell) must not accept everything below it.
  const broad = cwd === path.parse(cwd).root || cwd === os.homedir();
  const defaults = [dataDir, ...(broad ? [] : [cwd]), `s3://${bucket}/datasets/`];
  const roots = given ?? file.dataRoots ?? defaults;
  return roots.map((r) => (r.startsWith('s3://') ? r : path.resolve(cwd, r.trim())));
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
  const dataDir = resolveDataDir(env, cwd, config);
  if (!(env.SHELFSSL_MANIFEST_KEY ?? config.manifestKey))
    writeSecretOnce(manifestKeyFile(dataDir), randomBytes(32).toString('hex'));
  if (
    (env.SHELFSSL_S3_ACCESS_KEY ?? config.s3?.accessKey) &&
    (env.SHELFSSL_S3_SECRET_KEY ?? config.s3?.secretKey)
  )
    return;
  // Both at once, or the worker's alone for a data dir made before workers had their own user.
  writeSecretOnce(credentialsFile(dataDir), generatedCredentials('shelfssl'));
  writeSecretOnce(workerCredentialsFile(dataDir), generatedCredentials('shelfssl-worker'));
}

function generatedCredentials(prefix: string): string {
  const creds = {
    accessKey: `${prefix}-${randomBytes(4).toString('hex')}`,
    secretKey: randomBytes(24).toString('base64url'),
  };
  return `${JSON.stringify(creds, null, 2)}\n`;
}

/** `wx`: created here or not at all, so a file (or link) planted at this path is never written through. */
function writeSecretOnce(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

const CONFIG_NAMES = ['shelfssl.config.yaml', 'shelfssl.config.yml', 'shelfssl.config.json'];

/** `shelfssl.config.*` in the working directory or the nearest folder above it that has one. */
function findDefaultConfig(cwd: string): string | undefined {
  const dir = findUp(cwd, (d) => CONFIG_NAMES.some((n) => existsSync(path.join(d, n))));
  const name = dir === undefined ? undefined : CONFIG_NAMES.find((n) => existsSync(path.join(dir, n)));
  return dir === undefined || name === undefined ? undefined : path.join(dir, name);
}
