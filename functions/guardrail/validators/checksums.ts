// Check digits that turn a pattern match into a confirmed value: Luhn (payment cards), mod-11 (UK
// NHS numbers) and the SSA's rules for US social security and taxpayer numbers. Inputs may contain
// separators; only digits count.

/** Digits of a string as numbers (separators dropped). */
function digitsOf(value: string): number[] {
  const digits: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i) - 48;
    if (code >= 0 && code <= 9) digits.push(code);
  }
  return digits;
}

/** True when the digits pass the Luhn (mod 10) check used by payment card numbers. */
export function passesLuhn(value: string): boolean {
  const digits = digitsOf(value);
  if (digits.length === 0) return false;
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let digit = digits[i]!;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** True for a 10-digit NHS number whose last digit is its mod-11 check digit (10 never is). */
export function passesNhsCheck(value: string): boolean {
  const digits = digitsOf(value);
  if (digits.length !== 10) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += digits[i]! * (10 - i);
  const check = 11 - (sum % 11);
  const expected = check === 11 ? 0 : check;
  return expected !== 10 && expected === digits[9];
}

/** SSNs the SSA published or that appeared in advertising; never issued to a person. */
const RETIRED_SSNS = new Set(["078051120", "219099999", "123456789"]);

/**
 * True when 9 digits could be an issued SSN: area not 000, 666 or 900-999 (those are ITINs), group
 * not 00, serial not 0000, all digits not the same, and not a known advertising number.
 */
export function isPlausibleSsn(value: string): boolean {
  const digits = digitsOf(value);
  if (digits.length !== 9) return false;
  const text = digits.join("");
  const area = Number(text.slice(0, 3));
  if (area === 0 || area === 666 || area >= 900) return false;
  if (text.slice(3, 5) === "00" || text.slice(5) === "0000") return false;
  if (/^(\d)\1{8}$/.test(text) || RETIRED_SSNS.has(text)) return false;
  return true;
}

/** True for an ITIN: 9 digits starting with 9 whose 4th-5th digits are 50-65, 70-88, 90-92 or 94-99. */
export function isPlausibleItin(value: string): boolean {
  const digits = digitsOf(value);
  if (digits.length !== 9 || digits[0] !== 9) return false;
  const group = digits[3]! * 10 + digits[4]!;
  return (group >= 50 && group <= 65) || (group >= 70 && group <= 88) || (group >= 90 && group <= 92) || group >= 94;
}
