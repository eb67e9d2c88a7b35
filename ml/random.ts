/**
 * Seeded pseudo-random numbers: the one module every random draw of the project goes through.
 *
 * Two generators behind one `Rng` interface, each kept because its exact sequence is baked into results:
 * - `createRng` (xoshiro128** seeded with splitmix32; fast, 2^128 period) for training: crop boxes,
 *   augmentation draws, shuffles, initial weights. Its four-word state serialises, so saving `state()`
 *   next to the weights lets a resumed run draw exactly the numbers the uninterrupted run would have drawn.
 * - `mulberry32` (one word of state) for data generation and sampling: the generated shelves, test splits
 *   and label samples of earlier runs are reproduced only by this sequence.
 * It lives in ml/ because training needs it most; data/ imports it too (ml/ imports nothing from data/).
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
  /** Uniform integer in [min, max], both inclusive. */
  intBetween(min: number, max: number): number;
  /** Standard normal sample (Box–Muller; no cached second value so the state stays as it is). */
  normal(): number;
  /** True with probability p. */
  bernoulli(p: number): boolean;
  /** Element chosen uniformly; throws on an empty array because a silent undefined would hide a bug. */
  pick<T>(items: readonly T[]): T;
}

/** An `Rng` whose position can be saved and continued with `restoreRng` (checkpoints). */
export interface ResumableRng extends Rng {
  state(): RngState;
}

/** Every draw expressed through `next()`, so both generators answer them identically. */
function drawsFrom(next: () => number): Rng {
  return {
    next,
    uniform: (low, high) => low + (high - low) * next(),
    int: (n) => Math.floor(next() * n),
    intBetween: (min, max) => min + Math.floor(next() * (max - min + 1)),
    normal: () => {
      // 1 - next() lies in (0, 1], so the logarithm is finite.
      const u1 = 1 - next();
      const u2 = next();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    bernoulli: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick() from an empty array');
      return items[Math.floor(next() * items.length)]!;
    },
  };
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

function xoshiro128(state: RngState): ResumableRng {
  const s: [number, number, number, number] = [
    state[0] >>> 0,
    state[1] >>> 0,
    state[2] >>> 0,
    state[3] >>> 0,
  ];
  // An all-zero state is a fixed point of xoshiro; it can only come from a corrupted checkpoint.
  if (s.every((w) => w === 0)) throw new Error('rng state must not be all zeros');
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] = (s[2] ^ s[0]) >>> 0;
    s[3] = (s[3] ^ s[1]) >>> 0;
    s[1] = (s[1] ^ s[2]) >>> 0;
    s[0] = (s[0] ^ s[3]) >>> 0;
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3], 11);
    return result;
  };
  return { ...drawsFrom(() => nextUint32() / 4294967296), state: () => [s[0], s[1], s[2], s[3]] };
}

/** The training generator, whose whole sequence is fixed by `seed` (any integer; its low 32 bits are used). */
export function createRng(seed: number): ResumableRng {
  const mix = splitmix32(seed);
  return xoshiro128([mix(), mix(), mix(), mix()]);
}

/** A training generator that continues from a saved `rng.state()`. */
export function restoreRng(state: RngState): ResumableRng {
  return xoshiro128(state);
}

/** The data generator (mulberry32): tiny, fast and good enough for data generation (not for cryptography). */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return drawsFrom(() => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  });
}

/** Derives an independent seed for a numbered sub-task (e.g. weight init vs. augmentation) from one seed. */
export function deriveSeed(seed: number, stream: number): number {
  const mix = splitmix32((seed ^ Math.imul(stream + 1, 0x27d4eb2d)) >>> 0);
  return mix();
}

/**
 * Derives an independent seed for a named sub-task of data generation or sampling (FNV-style hash of the
 * label), so adding draws in one place does not shift another. Not `deriveSeed`: its values differ, and the
 * generated datasets and samples depend on these.
 */
export function labelSeed(seed: number, label: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  }
  return h;
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

/** Fisher–Yates shuffle into a new array. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  return shuffleInPlace(items.slice(), rng);
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
