// AssemblyScript, compiled to WebAssembly by `npm run build:wasm`; not part of tsc.
// Inverted dropout with its mask drawn here, from the xoshiro128** generator whose four words live at
// `state` (src/tensor/rng.ts has the same step): the same stream, the same decisions, bit for bit.

// mask[i] = 0 if u_i/2^32 < p else f32(1/(1 − p)),  y[i] = x[i]·mask[i],  u_i the generator's next 32 bits.
// u/2^32 < p, with u an integer, is u < ⌈p·2^32⌉ (p·2^32 is exact in f64). The threshold is compared as a
// u64, since for p within 2^-32 of 1 it is 2^32, which drops every value, as the reference's comparison does.
// The generator is serial (each step needs the last), so the values go one at a time.
export function dropout(n: i32, rate: f64, state: usize, x: usize, y: usize, mask: usize): void {
  const threshold = <u64>Math.ceil(rate * 4294967296.0);
  const scaleBits = reinterpret<u32>(<f32>(1.0 / (1.0 - rate)));
  let s0 = load<u32>(state),
    s1 = load<u32>(state, 4),
    s2 = load<u32>(state, 8),
    s3 = load<u32>(state, 12);
  for (let i = 0; i < n; i++) {
    const u = rotl<u32>(s1 * 5, 7) * 9;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl<u32>(s3, 11);
    // m = scale where u ≥ threshold, else +0: its bits masked, since a branch on a coin flip is mispredicted
    const m = reinterpret<f32>(scaleBits & (0 - <u32>(<u64>u >= threshold)));
    const at = <usize>i << 2;
    store<f32>(mask + at, m);
    store<f32>(y + at, load<f32>(x + at) * m);
  }
  store<u32>(state, s0);
  store<u32>(state, s1, 4);
  store<u32>(state, s2, 8);
  store<u32>(state, s3, 12);
}

// dx = dy·mask
export function dropoutBackward(n: i32, mask: usize, dy: usize, dx: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(dx + at, f32x4.mul(v128.load(dy + at), v128.load(mask + at)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(dx + at, load<f32>(dy + at) * load<f32>(mask + at));
  }
}
