// Synchronous Keccak-256 (the pre-standard SHA-3 padding Ethereum uses), for EIP-55 address
// checksums. Lanes are kept as pairs of 32-bit halves so no BigInt is needed on the hot path.

const ROUND_CONSTANTS_HI = new Uint32Array([
  0x00000000, 0x00000000, 0x80000000, 0x80000000, 0x00000000, 0x00000000, 0x80000000, 0x80000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
  0x00000000, 0x80000000, 0x80000000, 0x80000000, 0x80000000, 0x80000000, 0x00000000, 0x80000000, 0x80000000, 0x80000000, 0x00000000, 0x80000000,
]);
const ROUND_CONSTANTS_LO = new Uint32Array([
  0x00000001, 0x00008082, 0x0000808a, 0x80008000, 0x0000808b, 0x80000001, 0x80008081, 0x00008009, 0x0000008a, 0x00000088, 0x80008009, 0x8000000a,
  0x8000808b, 0x0000008b, 0x00008089, 0x00008003, 0x00008002, 0x00000080, 0x0000800a, 0x8000000a, 0x80008081, 0x00008080, 0x80000001, 0x80008008,
]);
/** Rotation offsets and the pi permutation, by lane index x + 5y. */
const ROTATIONS = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
const RATE_BYTES = 136;

function keccakF(hi: Uint32Array, lo: Uint32Array): void {
  const cHi = new Uint32Array(5), cLo = new Uint32Array(5);
  const bHi = new Uint32Array(25), bLo = new Uint32Array(25);
  for (let round = 0; round < 24; round++) {
    for (let x = 0; x < 5; x++) {
      cHi[x] = hi[x]! ^ hi[x + 5]! ^ hi[x + 10]! ^ hi[x + 15]! ^ hi[x + 20]!;
      cLo[x] = lo[x]! ^ lo[x + 5]! ^ lo[x + 10]! ^ lo[x + 15]! ^ lo[x + 20]!;
    }
    for (let x = 0; x < 5; x++) {
      const nextHi = cHi[(x + 1) % 5]!, nextLo = cLo[(x + 1) % 5]!;
      const dHi = cHi[(x + 4) % 5]! ^ ((nextHi << 1) | (nextLo >>> 31));
      const dLo = cLo[(x + 4) % 5]! ^ ((nextLo << 1) | (nextHi >>> 31));
      for (let y = 0; y < 25; y += 5) {
        hi[x + y] = hi[x + y]! ^ dHi;
        lo[x + y] = lo[x + y]! ^ dLo;
      }
    }
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++) {
        const from = x + 5 * y;
        const to = y + 5 * ((2 * x + 3 * y) % 5);
        const shift = ROTATIONS[from]!;
        let h = hi[from]!, l = lo[from]!;
        if (shift >= 32) [h, l] = [l, h];
        const s = shift % 32;
        bHi[to] = s === 0 ? h : (h << s) | (l >>> (32 - s));
        bLo[to] = s === 0 ? l : (l << s) | (h >>> (32 - s));
      }
    }
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        hi[x + y] = bHi[x + y]! ^ (~bHi[((x + 1) % 5) + y]! & bHi[((x + 2) % 5) + y]!);
        lo[x + y] = bLo[x + y]! ^ (~bLo[((x + 1) % 5) + y]! & bLo[((x + 2) % 5) + y]!);
      }
    }
    hi[0] = hi[0]! ^ ROUND_CONSTANTS_HI[round]!;
    lo[0] = lo[0]! ^ ROUND_CONSTANTS_LO[round]!;
  }
}

/** Keccak-256 of bytes (32-byte digest). */
export function keccak256(data: Uint8Array): Uint8Array {
  const hi = new Uint32Array(25), lo = new Uint32Array(25);
  const blocks = Math.floor(data.length / RATE_BYTES) + 1;
  const padded = new Uint8Array(blocks * RATE_BYTES);
  padded.set(data);
  padded[data.length] = padded[data.length]! ^ 0x01;
  padded[padded.length - 1] = padded[padded.length - 1]! ^ 0x80;
  for (let block = 0; block < padded.length; block += RATE_BYTES) {
    for (let lane = 0; lane < RATE_BYTES / 8; lane++) {
      const at = block + lane * 8;
      lo[lane] = lo[lane]! ^ (padded[at]! | (padded[at + 1]! << 8) | (padded[at + 2]! << 16) | (padded[at + 3]! << 24));
      hi[lane] = hi[lane]! ^ (padded[at + 4]! | (padded[at + 5]! << 8) | (padded[at + 6]! << 16) | (padded[at + 7]! << 24));
    }
    keccakF(hi, lo);
  }
  const out = new Uint8Array(32);
  for (let lane = 0; lane < 4; lane++) {
    for (let byte = 0; byte < 4; byte++) {
      out[lane * 8 + byte] = (lo[lane]! >>> (8 * byte)) & 0xff;
      out[lane * 8 + 4 + byte] = (hi[lane]! >>> (8 * byte)) & 0xff;
    }
  }
  return out;
}
