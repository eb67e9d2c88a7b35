import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { UsageError } from '../../config/errors.js';
import { loadSettings, resolveDataDir } from '../../config/settings.js';

const creds = { SHELFSSL_S3_ACCESS_KEY: 'abc', SHELFSSL_S3_SECRET_KEY: 'abcdefgh-secret' };

describe('settings', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-settings-'));

  it('takes defaults, then the config file, then env', () => {
    const file = path.join(dir, 'a.yaml');
    writeFileSync(file, 'temporal:\n  address: 10.0.0.5:7233\ns3:\n  bucket: from-file\n');
    const s = loadSettings({ ...creds, SHELFSSL_CONFIG: file, SHELFSSL_S3_BUCKET: 'from-env' }, dir);
    assert.equal(s.temporal.address, '10.0.0.5:7233');
    assert.equal(s.temporal.namespace, 'default');
    assert.equal(s.s3.bucket, 'from-env');
    assert.equal(s.s3.port, 9000);
    assert.equal(s.dataDir, path.join(dir, '.shelfssl'));
  });

  it('names the field, the value and the fix for a bad config file', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ temporal: { address: 'no-port-here' } }));
    assert.throws(
      () => loadSettings({ ...creds, SHELFSSL_CONFIG: file }, dir),
      (err: Error) =>
        err.message.includes('temporal.address') &&
        err.message.includes('"no-port-here"') &&
        err.message.includes('host:port'),
    );
  });

  it('rejects unknown keys in a config file by name', () => {
    const file = path.join(dir, 'typo.yaml');
    writeFileSync(file, 's3:\n  bukket: x\n');
    assert.throws(() => loadSettings({ ...creds, SHELFSSL_CONFIG: file }, dir), /bukket/);
  });

  it('says how to get credentials when none are set, and never prints a secret', () => {
    assert.throws(() => loadSettings({}, dir), /s3\.accessKey: missing: set SHELFSSL_S3_ACCESS_KEY/);
    assert.throws(
      () => loadSettings({ SHELFSSL_S3_ACCESS_KEY: 'abc', SHELFSSL_S3_SECRET_KEY: 'short' }, dir),
      (err: Error) => err.message.includes('s3.secretKey: too short') && !err.message.includes('"short"'),
    );
  });

  it('rejects a bad port from env by field name', () => {
    assert.throws(() => loadSettings({ ...creds, SHELFSSL_S3_PORT: '70000' }, dir), /s3\.port/);
  });

  it('a port that is not a number says what a port is and how to set it', () => {
    assert.throws(
      () => loadSettings({ ...creds, SHELFSSL_S3_PORT: 'abc' }, dir),
      (err: Error) =>
        /s3\.port: a port number from 1 to 65535, e.g\. SHELFSSL_S3_PORT=9000.*\(got "abc"\)/.test(
          err.message,
        ) && !/NaN/.test(err.message),
    );
  });

  it('does not stutter: the message starts with what is invalid and where it came from', () => {
    assert.throws(
      () => loadSettings({ ...creds, SHELFSSL_TEMPORAL_ADDRESS: 'nope' }, dir),
      (err: Error) =>
        err.message.startsWith('the configuration (SHELFSSL_* environment, data dir ') &&
        !err.message.includes('shelfssl settings'),
    );
  });

  it('no credentials anywhere is "servers never started" (exit 1, not a usage error) with the step', () => {
    const fresh = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-fresh-'));
    assert.throws(
      () => loadSettings({}, fresh),
      (err: Error) =>
        !(err instanceof UsageError) &&
        err.message.includes('run `shelfssl infra up`') &&
        err.message.includes(path.join(fresh, '.shelfssl', 'minio', 'credentials.json')),
    );
  });

  it('finds the data dir and config file in a parent folder, as git finds .git', () => {
    const project = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-project-'));
    mkdirSync(path.join(project, '.shelfssl'));
    writeFileSync(path.join(project, 'shelfssl.config.yaml'), 's3:\n  bucket: from-project\n');
    const deep = path.join(project, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    const s = loadSettings(creds, deep);
    assert.equal(s.dataDir, path.join(project, '.shelfssl'));
    assert.equal(s.s3.bucket, 'from-project');
    assert.equal(resolveDataDir({ SHELFSSL_DATA_DIR: 'x' }, deep), path.join(deep, 'x'));
  });
});
