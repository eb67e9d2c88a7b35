import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryStaleSocket } from '../../store/s3.js';

const socketError = (code: string) => Object.assign(new Error(`write ${code}`), { code });

/** A request that fails `failures` times with `error`, then answers. */
function flaky(failures: number, error: Error) {
  let calls = 0;
  const send = async () => {
    calls++;
    if (calls <= failures) throw error;
    return 'answer';
  };
  return { send, calls: () => calls };
}

describe('S3 requests on a dead keep-alive socket', () => {
  it('are sent again after EPIPE or ECONNRESET, up to three attempts', async () => {
    const epipe = flaky(2, socketError('EPIPE'));
    assert.equal(await retryStaleSocket(epipe.send), 'answer');
    assert.equal(epipe.calls(), 3);
    const reset = flaky(3, socketError('ECONNRESET'));
    await assert.rejects(retryStaleSocket(reset.send), /ECONNRESET/);
    assert.equal(reset.calls(), 3, 'a socket that keeps failing is not retried forever');
  });

  it('are not sent again for any other error', async () => {
    const denied = flaky(1, Object.assign(new Error('Access Denied'), { code: 'AccessDenied' }));
    await assert.rejects(retryStaleSocket(denied.send), /Access Denied/);
    assert.equal(denied.calls(), 1);
  });
});
