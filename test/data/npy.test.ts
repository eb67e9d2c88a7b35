import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeNpy, encodeNpy, NpyFormatError } from '../../data/npy.js';
import { tempDir } from '../fixtures/tiny-dataset.js';

let dir = '';
let cleanup: () => Promise<void> = async () => {};
before(async () => {
  ({ dir, cleanup } = await tempDir('npy'));
});
after(() => cleanup());

const PYTHON = '/usr/bin/python3';

function numpyAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('encodeNpy pads the header so data starts on a 64-byte boundary', () => {
  for (const shape of [[3], [2, 3], [10, 32, 32, 3], [0, 4]]) {
    const count = shape.reduce((a, b) => a * b, 1);
    const buf = encodeNpy(new Uint8Array(count), shape);
    const headerLength = buf.readUInt16LE(8);
    assert.equal((10 + headerLength) % 64, 0);
    assert.equal(buf[10 + headerLength - 1], 0x0a, 'header ends with a newline');
    assert.equal(buf.length, 10 + headerLength + count);
  }
});

test('decodeNpy round-trips uint8, float32 and int32', () => {
  const cases = [
    { data: Uint8Array.from([0, 1, 255, 7, 8, 9]), shape: [2, 3] },
    { data: Float32Array.from([1.5, -2.25, 3e-7, Number.POSITIVE_INFINITY]), shape: [4] },
    { data: Int32Array.from([-2147483648, 0, 1, 2147483647, 5, 6, 7, 8]), shape: [2, 2, 2] },
  ];
  for (const { data, shape } of cases) {
    const back = decodeNpy(encodeNpy(data, shape));
    assert.deepEqual(back.shape, shape);
    assert.deepEqual([...back.data], [...data]);
    assert.equal(back.data.constructor, data.constructor);
  }
});

test('encodeNpy refuses a shape that does not match the data', () => {
  assert.throws(() => encodeNpy(new Uint8Array(5), [2, 3]), NpyFormatError);
});

test('decodeNpy rejects garbage and truncated files', () => {
  assert.throws(() => decodeNpy(Buffer.from('hello world')), /bad magic/);
  const full = encodeNpy(new Uint8Array(100), [100]);
  assert.throws(() => decodeNpy(full.subarray(0, full.length - 1)), /truncated/);
});

test('numpy.load reads what we write, and we read what numpy writes', async (t) => {
  if (!numpyAvailable()) {
    t.skip(`numpy is not importable by ${PYTHON}; the cross-check with numpy was not run`);
    return;
  }
  const u8 = Uint8Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => i % 256);
  await writeFile(path.join(dir, 'u8.npy'), encodeNpy(u8, [2, 4, 4, 3]));
  await writeFile(path.join(dir, 'f32.npy'), encodeNpy(Float32Array.from([0.5, -1.25, 3]), [3]));
  await writeFile(path.join(dir, 'i32.npy'), encodeNpy(Int32Array.from([-7, 0, 9, 2147483647]), [2, 2]));
  const script = `
import numpy as np, sys, os
d = sys.argv[1]
a = np.load(os.path.join(d, 'u8.npy'))
assert a.dtype == np.uint8 and a.shape == (2, 4, 4, 3), (a.dtype, a.shape)
assert (a.reshape(-1) == np.arange(96) % 256).all()
f = np.load(os.path.join(d, 'f32.npy'))
assert f.dtype == np.float32 and f.tolist() == [0.5, -1.25, 3.0], f
i = np.load(os.path.join(d, 'i32.npy'))
assert i.dtype == np.int32 and i.tolist() == [[-7, 0], [9, 2147483647]], i
np.save(os.path.join(d, 'from_numpy.npy'), np.arange(6, dtype=np.float32).reshape(2, 3))
print('ok')
`;
  const out = execFileSync(PYTHON, ['-c', script, dir], { encoding: 'utf8' });
  assert.equal(out.trim(), 'ok');
  const { readFile } = await import('node:fs/promises');
  const fromNumpy = decodeNpy(await readFile(path.join(dir, 'from_numpy.npy')));
  assert.equal(fromNumpy.dtype, 'float32');
  assert.deepEqual(fromNumpy.shape, [2, 3]);
  assert.deepEqual([...fromNumpy.data], [0, 1, 2, 3, 4, 5]);
});
