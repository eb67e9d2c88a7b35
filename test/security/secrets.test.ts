import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  credentialsFile,
  ensureLocalCredentials,
  loadSettings,
  workerCredentialsFile,
} from '../../config/settings.js';
import { freePort } from '../../infra/ports.js';
import { runCli } from '../support/cli.js';

const SECRET = 'TOPSECRET-s3-value-1234';

/** The error loadSettings throws for a settings file with this text. */
function settingsError(name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'security-config-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  try {
    loadSettings({ SHELFSSL_CONFIG: file, SHELFSSL_S3_ACCESS_KEY: 'abc' }, dir);
  } catch (err) {
    return (err as Error).message;
  }
  return assert.fail('the settings file must be refused');
}

describe('secrets never print in settings errors', () => {
  const cases: Array<[string, string, string]> = [
    ['an unknown key beside the secret', 's3.yaml', `s3:\n  secretKey: ${SECRET}\n  bukket: x\n`],
    ['an unknown top-level key', 'top.yaml', `s3:\n  secretKey: ${SECRET}\nextra: 1\n`],
    ['a secret nested deeper', 'deep.json', JSON.stringify({ s3: { x: { secretKey: SECRET } } })],
    ['a YAML syntax error on the secret line', 'bad.yaml', `s3:\n  secretKey: "${SECRET}\n  port: [\n`],
    ['a JSON syntax error after the secret', 'bad.json', `{"s3": {"secretKey": "${SECRET}", }`],
  ];
  for (const [what, name, text] of cases) {
    it(`redacts it for ${what}`, () => {
      const message = settingsError(name, text);
      assert.doesNotMatch(message, new RegExp(SECRET), message);
      assert.match(message, /is invalid|is not valid/, message);
    });
  }
});

describe('the generated credentials file', () => {
  it('is created exclusively: a link planted at its path is not written through', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'security-creds-'));
    const file = credentialsFile(dataDir);
    mkdirSync(path.dirname(file), { recursive: true });
    const planted = path.join(dataDir, 'planted.json');
    symlinkSync(planted, file);
    ensureLocalCredentials({ SHELFSSL_DATA_DIR: dataDir }, dataDir);
    assert.equal(existsSync(planted), false, 'the link target was not created');
  });

  it("is refused when other users can read it (the root one and the workers')", () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'security-creds-'));
    const env = { SHELFSSL_DATA_DIR: dataDir };
    const root = { credentials: 'required', identity: 'root' } as const;
    ensureLocalCredentials(env, dataDir);
    for (const file of [credentialsFile(dataDir), workerCredentialsFile(dataDir)])
      assert.equal(lstatSync(file).mode & 0o777, 0o600);
    assert.ok(loadSettings(env, dataDir).s3.secretKey.length > 8);
    assert.notEqual(loadSettings(env, dataDir).s3.accessKey, loadSettings(env, dataDir, root).s3.accessKey);
    chmodSync(credentialsFile(dataDir), 0o644);
    assert.throws(() => loadSettings(env, dataDir, root), /mode 644.*chmod 600/);
    chmodSync(workerCredentialsFile(dataDir), 0o640);
    assert.throws(() => loadSettings(env, dataDir), /mode 640.*chmod 600/);
  });
});

describe('the data dir of `infra up`', async () => {
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'security-infra-')), 'data');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SHELFSSL_DATA_DIR: dataDir,
    SHELFSSL_TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    SHELFSSL_TEMPORAL_UI_PORT: String(await freePort()),
    SHELFSSL_S3_PORT: String(await freePort()),
    SHELFSSL_MINIO_CONSOLE_PORT: String(await freePort()),
  };
  after(async () => {
    await runCli(['infra', 'down'], env);
  });

  it('holds only owner-only folders and files, server data included', async () => {
    const up = await runCli(['infra', 'up'], env);
    assert.equal(up.code, 0, up.stderr);
    const smoke = await runCli(['smoke', '--text', 'private'], env);
    assert.equal(smoke.code, 0, smoke.stderr);
    const open: string[] = [];
    const walk = (p: string): void => {
      const st = lstatSync(p);
      if (st.isSymbolicLink()) return;
      if ((st.mode & 0o077) !== 0) open.push(`${path.relative(dataDir, p)} ${(st.mode & 0o777).toString(8)}`);
      if (st.isDirectory()) for (const name of readdirSync(p)) walk(path.join(p, name));
    };
    walk(dataDir);
    assert.deepEqual(open, [], 'nothing under the data dir is readable by group or others');
  });
});
