/**
 * Seedable pseudo-random numbers with a serialisable state.
 *
 * Every random choice made during training (crop boxes, augmentation draws, shuffles, initial weights)
 * goes through one of these generators, so saving `state()` next to the weights lets a resumed run
 * draw exactly the numbers the uninterrupted run would have drawn. Algorithm: xoshiro128** seeded with
 * splitmix32 (fast, 2^128 period, four 32-bit words of state that survive JSON).
 */

/** The four 32-bit words of xoshiro128** state, as unsigned integers. */
export type RngState = readonly [number, number, number, number];

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform float in [low, high). */
  uniform(low: number, high: number): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal sample (Box–Muller; no cached second value so the state stays four words). */
  normal(): number;
  /** True with probability p. */
  bernoulli(p: number): boolean;
  /** Snapshot of the state; `restoreRng(state)` continues the same sequence. */
  state(): RngState;
}

function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

class Xoshiro128 implements Rng {
  private s: [number, number, number, number];

  constructor(state: RngState) {
    this.s = [state[0] >>> 0, state[1] >>> 0, state[2] >>> 0, state[3] >>> 0];
    if (this.s.every((w) => w === 0)) {
      // An all-zero state is a fixed point of xoshiro; it can only come from a corrupted checkpoint.
      throw new Error('rng state must not be all zeros');
    }
  }

  private nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] = (s[2] ^ s[0]) >>> 0;
    s[3] = (s[3] ^ s[1]) >>> 0;
    s[1] = (s[1] ^ s[2]) >>> 0;
    s[0] = (s[0] ^ s[3]) >>> 0;
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3], 11);
    return result;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  normal(): number {
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    const u1 = 1 - this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }
}

/** A generator whose whole sequence is fixed by `seed` (any integer; only its low 32 bits are used). */
export function createRng(seed: number): Rng {
  const mix = splitmix32(seed);
  return new Xoshiro128([mix(), mix(), mix(), mix()]);
}

/** A generator that continues from a saved `rng.state()`. */
export function restoreRng(state: RngState): Rng {
  return new Xoshiro128(state);
}

/** Derives an independent seed for a sub-task (e.g. weight init vs. augmentation) from one run seed. */
export function deriveSeed(seed: number, stream: number): number {
  const mix = splitmix32((seed ^ Math.imul(stream + 1, 0x27d4eb2d)) >>> 0);
  return mix();
}

/** Fisher–Yates shuffle in place; returns the same array. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}

/** A random permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): number[] {
  return shuffleInPlace(
    Array.from({ length: n }, (_, i) => i),
    rng,
  );
}

/** `count` independent N(mean, std²) samples. */
export function normalArray(count: number, rng: Rng, mean = 0, std = 1): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = mean + std * rng.normal();
  return out;
}

/** `count` independent U(low, high) samples. */
export function uniformArray(count: number, rng: Rng, low: number, high: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.uniform(low, high);
  return out;
}
