// Fake credentials for tests, assembled at run time so no credential-shaped literal sits in the
// repository (secret scanners would flag it). Deterministic: the same call gives the same value.
const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `length` pseudo-random characters from `alphabet`, seeded by `seed`. */
export function randomChars(length: number, seed = 1, alphabet = ALPHANUMERIC): string {
  let state = seed * 2_654_435_761;
  let out = "";
  for (let i = 0; i < length; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

const join = (...parts: string[]) => parts.join("");

export const fakeKeys = {
  openaiProject: join("sk-", "proj-", randomChars(48, 1)),
  anthropic: join("sk-", "ant-", "api03-", randomChars(93, 2), "AA"),
  aws: join("AKIA", randomChars(16, 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")),
  github: join("ghp", "_", randomChars(36, 4)),
  slack: join("xox", "b-", "1234567890", "-", "1234567890123", "-", randomChars(24, 5)),
  stripe: join("sk", "_live_", randomChars(24, 6)),
  google: join("AIza", randomChars(35, 7)),
  jwt: join(btoa('{"alg":"HS256","typ":"JWT"}').replace(/=+$/, ""), ".", btoa('{"sub":"1234567890","name":"Jane"}').replace(/=+$/, ""), ".", randomChars(43, 8)),
  privateKey: join("-----BEGIN ", "RSA PRIVATE KEY-----\n", randomChars(64, 9), "\n", randomChars(64, 10), "\n-----END ", "RSA PRIVATE KEY-----"),
};
