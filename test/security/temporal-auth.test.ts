import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { connectClient } from '../../cli/client.js';
import { loadSettings } from '../../config/settings.js';
import { settingsToEnv } from '../../config/settings-env.js';
import { temporalConnectOptions } from '../../config/temporal-connection.js';
import { bucketOf } from '../../store/artefacts.js';
import { isNotFound } from '../../store/s3.js';
import { createShelfWorker } from '../../workers/worker.js';
import { smokeWorkflow } from '../../workflows/smoke.js';
import { testSettings } from '../support/env.js';

const creds = { SHELFSSL_S3_ACCESS_KEY: 'abc', SHELFSSL_S3_SECRET_KEY: 'abcdefgh-secret' };

describe('authenticated, encrypted Temporal', () => {
  it('turns an API key and TLS files into the connection options, and passes them to child workers', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'security-tls-'));
    for (const f of ['ca.pem', 'client.pem', 'client.key']) writeFileSync(path.join(dir, f), `PEM ${f}`);
    const env = {
      ...creds,
      SHELFSSL_TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      SHELFSSL_TEMPORAL_API_KEY: 'api-key-value',
      SHELFSSL_TEMPORAL_TLS_CA: 'ca.pem',
      SHELFSSL_TEMPORAL_TLS_CERT: 'client.pem',
      SHELFSSL_TEMPORAL_TLS_KEY: 'client.key',
    };
    const settings = loadSettings(env, dir);
    const options = temporalConnectOptions(settings.temporal);
    assert.equal(options.apiKey, 'api-key-value');
    assert.ok(typeof options.tls === 'object', 'TLS is configured');
    assert.equal(options.tls.serverRootCACertificate?.toString(), 'PEM ca.pem');
    assert.equal(options.tls.clientCertPair?.crt.toString(), 'PEM client.pem');
    assert.equal(options.tls.clientCertPair?.key.toString(), 'PEM client.key');
    const child = loadSettings({ ...creds, ...settingsToEnv(settings) }, os.tmpdir());
    assert.deepEqual(child.temporal, settings.temporal, 'a child worker gets the same Temporal settings');
  });

  it('an API key alone turns TLS on (Temporal Cloud); nothing configured stays plaintext (local dev server)', () => {
    const cloud = loadSettings({ ...creds, SHELFSSL_TEMPORAL_API_KEY: 'k' }, os.tmpdir());
    assert.equal(temporalConnectOptions(cloud.temporal).tls, true);
    const local = loadSettings(creds, os.tmpdir());
    assert.equal(temporalConnectOptions(local.temporal).tls, undefined);
  });

  it('refuses half an mTLS pair and never prints the API key in a settings error', () => {
    assert.throws(
      () => loadSettings({ ...creds, SHELFSSL_TEMPORAL_TLS_CERT: '/x.pem' }, os.tmpdir()),
      /clientCert and clientKey/,
    );
    const dir = mkdtempSync(path.join(os.tmpdir(), 'security-apikey-'));
    const file = path.join(dir, 'settings.yaml');
    writeFileSync(file, 'temporal:\n  apiKey: SUPER-SECRET-API-KEY\n  bogus: 1\n');
    assert.throws(
      () => loadSettings({ ...creds, SHELFSSL_CONFIG: file }, dir),
      (e: Error) => /bogus/.test(e.message) && !/SUPER-SECRET-API-KEY/.test(e.message),
    );
  });

  it('a TLS client does not talk to a plaintext server (TLS is really used)', async () => {
    const settings = testSettings('tls');
    const tls = { ...settings, temporal: { ...settings.temporal, tls: { enabled: true } } };
    await assert.rejects(connectClient(tls));
  });
});

describe('what the servers and workers expose', () => {
  it('docker-compose publishes every port on 127.0.0.1 unless SHELFSSL_BIND says otherwise', () => {
    const file = fileURLToPath(new URL('../../../infra/docker-compose.yml', import.meta.url));
    const compose = parseYaml(readFileSync(file, 'utf8')) as {
      services: Record<string, { ports?: string[] }>;
    };
    const ports = Object.values(compose.services).flatMap((s) => s.ports ?? []);
    assert.equal(ports.length, 4);
    for (const p of ports) assert.match(p, /^(127\.0\.0\.1|\$\{SHELFSSL_BIND:-127\.0\.0\.1\}):\d+:\d+$/, p);
  });

  it('the smoke workflow, which any Temporal client can start, writes only under smoke/', async () => {
    const settings = testSettings('smoke-prefix');
    const worker = await createShelfWorker(settings, 'cpu');
    const { client, close } = await connectClient(settings);
    const bucket = bucketOf(settings);
    const target = `artefacts/report/${'a'.repeat(64)}/manifest.json`;
    try {
      await assert.rejects(
        worker.runUntil(
          client.workflow.execute(smokeWorkflow, {
            taskQueue: settings.temporal.taskQueues.cpu,
            workflowId: `smoke-prefix-${randomUUID()}`,
            args: [{ key: target, text: '{"forged": true}' }],
          }),
        ),
      );
      await assert.rejects(bucket.s3.statObject(bucket.bucket, target), (e: unknown) => isNotFound(e));
    } finally {
      await close();
    }
  });
});
