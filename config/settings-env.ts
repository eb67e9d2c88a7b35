import { DATA_ROOTS_SEPARATOR, type Settings } from './settings.js';

/** Settings as SHELFSSL_* variables, so a child process (a worker) reaches the same Temporal, S3 and queues. */
export function settingsToEnv(settings: Settings): Record<string, string> {
  const tls = settings.temporal.tls;
  return {
    ...(tls
      ? definedStrings({
          SHELFSSL_TEMPORAL_TLS: String(tls.enabled),
          SHELFSSL_TEMPORAL_TLS_CA: tls.serverRootCACertificate,
          SHELFSSL_TEMPORAL_TLS_CERT: tls.clientCert,
          SHELFSSL_TEMPORAL_TLS_KEY: tls.clientKey,
          SHELFSSL_TEMPORAL_TLS_SERVER_NAME: tls.serverNameOverride,
        })
      : {}),
    ...(settings.temporal.apiKey ? { SHELFSSL_TEMPORAL_API_KEY: settings.temporal.apiKey } : {}),
    SHELFSSL_TEMPORAL_ADDRESS: settings.temporal.address,
    SHELFSSL_TEMPORAL_NAMESPACE: settings.temporal.namespace,
    SHELFSSL_QUEUE_CPU: settings.temporal.taskQueues.cpu,
    SHELFSSL_QUEUE_GPU: settings.temporal.taskQueues.gpu,
    SHELFSSL_S3_ENDPOINT: settings.s3.endPoint,
    SHELFSSL_S3_PORT: String(settings.s3.port),
    SHELFSSL_S3_USE_SSL: String(settings.s3.useSSL),
    SHELFSSL_S3_ACCESS_KEY: settings.s3.accessKey,
    SHELFSSL_S3_SECRET_KEY: settings.s3.secretKey,
    SHELFSSL_S3_BUCKET: settings.s3.bucket,
    SHELFSSL_S3_REGION: settings.s3.region,
    SHELFSSL_DATA_DIR: settings.dataDir,
    SHELFSSL_DATA_ROOTS: settings.dataRoots.join(DATA_ROOTS_SEPARATOR),
    SHELFSSL_MANIFEST_KEY: settings.manifestKey,
  };
}

function definedStrings(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined));
}
