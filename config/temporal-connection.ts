import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { UsageError } from './errors.js';
import type { Settings } from './settings.js';

/** What Connection.connect (client) and NativeConnection.connect (worker) both take for Temporal. */
export interface TemporalConnectOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

function pem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`temporal.tls.${what}: cannot read ${file} (${(err as Error).message})`);
  }
}

/**
 * The connection options for the configured Temporal: plaintext for the local dev server; TLS (system CAs,
 * or `serverRootCACertificate`), mTLS with `clientCert` + `clientKey`, and/or an API key for a shared
 * cluster or Temporal Cloud. An API key alone turns TLS on, as it must never travel in clear.
 */
export function temporalConnectOptions(temporal: Settings['temporal']): TemporalConnectOptions {
  const t = temporal.tls;
  const base = { address: temporal.address, ...(temporal.apiKey ? { apiKey: temporal.apiKey } : {}) };
  if (t === undefined) return temporal.apiKey ? { ...base, tls: true } : base;
  if (!t.enabled) return base;
  const tls: TLSConfig = {
    ...(t.serverNameOverride ? { serverNameOverride: t.serverNameOverride } : {}),
    ...(t.serverRootCACertificate
      ? { serverRootCACertificate: pem(t.serverRootCACertificate, 'serverRootCACertificate') }
      : {}),
    ...(t.clientCert && t.clientKey
      ? { clientCertPair: { crt: pem(t.clientCert, 'clientCert'), key: pem(t.clientKey, 'clientKey') } }
      : {}),
  };
  return { ...base, tls: Object.keys(tls).length > 0 ? tls : true };
}
