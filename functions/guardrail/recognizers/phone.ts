// PHONE_NUMBER: digit groups in the shapes people write phone numbers in ("+46 (0)8 928 571 38",
// "(579)888-3058", "0490 75 40 81", "345-899-3560x4587"), 7-15 digits. libphonenumber-js confirms
// international numbers ("+" or "00") and national numbers of the policy's regions; words like
// "phone", "call", "fax" nearby confirm the rest. Dates, times, IPv4 and thousands are rejected.
import { Metadata, getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";
import { contextWords, eachMatch, hasContext, score } from "./context";
import type { Candidate, Recognizer, ScanOptions } from "./types";

const GROUP_SEPARATOR = "[ .\\-\\u00A0]{1,2}";
const CANDIDATE = new RegExp(
  `(?<![\\w+#/.\\-])\\+?(?:\\(\\d{1,5}\\)|\\d{1,15})(?:${GROUP_SEPARATOR}\\(?\\d{1,12}\\)?|\\(\\d{1,5}\\)|(?<=\\))\\d{1,12}){0,7}(?: ?(?:x|ext\\.?|extension) ?\\d{1,6})?(?![\\w]|[:./\\-]\\d)`,
  "gi",
);
const EXTENSION = /\s?(?:x|ext\.?|extension)\s?\d{1,6}$/i;
const CONTEXT = contextWords([
  "phone", "phones", "tel", "telephone", "mobile", "cell", "cellphone", "fax", "desk", "office", "home", "work", "call", "calling", "called",
  "reach", "text", "sms", "message", "messages", "whatsapp", "contact", "dial", "landline", "hotline", "answering", "voicemail",
]);
/** "2015-12-22 04…" (a date and time), or exactly a d/m/y date like "12.05.2020" or "1-2-99". */
const DATE_LIKE = /^\d{4}[-./]\d{1,2}[-./]\d{1,2}(?:\D|$)|^\d{1,2}([-./])\d{1,2}\1(?:\d{4}|\d{2})$/;
const IPV4_LIKE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const THOUSANDS = /^\d{1,3}(?:[.,]\d{3})+$/;
const SAME_DIGIT = /^(\d)\1+$/;

/** National numbers (trunk prefix included) are at most this long; longer digit runs need a "+". */
const MAX_NATIONAL_DIGITS = 12;
const MAX_REMEMBERED = 1_024;

/** Validity through the caller's memo when there is one (a stream window rescans the same numbers). */
function validity(value: string, digits: string, options: ScanOptions): boolean {
  if (!options.memo) return isValidNumber(value, digits, options.phoneRegions);
  const key = `phone:${value.startsWith("+") ? "+" : ""}${digits}`;
  let valid = options.memo.get(key);
  if (valid === undefined) {
    if (options.memo.size >= MAX_REMEMBERED) options.memo.clear();
    valid = isValidNumber(value, digits, options.phoneRegions);
    options.memo.set(key, valid);
  }
  return valid;
}

interface NationalPlan {
  /** The lengths a national number of the country can have. */
  lengths: ReadonlySet<number>;
  /** The country's national number pattern, anchored. */
  pattern: RegExp;
}

interface RegionPlans {
  /** Every country sharing the region's calling code: a number dialled there may belong to any of them. */
  countries: NationalPlan[];
  /** The region's international dialling prefix: digits that start with it may be a foreign number. */
  idd: RegExp;
  /** The region rewrites national prefixes ("268" added to a local number): the national number is then not a suffix of the digits. */
  rewrites: boolean;
}

const plansByRegion = new Map<string, RegionPlans>();

function regionPlans(region: CountryCode): RegionPlans {
  let plans = plansByRegion.get(region);
  if (!plans) {
    const callingCode = getCountryCallingCode(region);
    const metadata = new Metadata() as Metadata & { numberingPlan?: { nationalNumberPattern(): string; nationalPrefixTransformRule(): string | undefined } };
    const countries = getCountries()
      .filter((country) => getCountryCallingCode(country) === callingCode)
      .map((country) => {
        metadata.selectNumberingPlan(country);
        const plan = metadata.numberingPlan!;
        return { lengths: new Set(plan.possibleLengths()), pattern: new RegExp(`^(?:${plan.nationalNumberPattern()})$`) };
      });
    metadata.selectNumberingPlan(region);
    const plan = metadata.numberingPlan!;
    plans = { countries, idd: new RegExp(`^(?:${plan.IDDPrefix()})`), rewrites: Boolean(plan.nationalPrefixTransformRule()) };
    plansByRegion.set(region, plans);
  }
  return plans;
}

/**
 * False only when the number cannot be valid in the region: its national number is the digits or
 * what is left after a national prefix (a suffix), and no suffix has the length and pattern of a
 * country sharing the region's calling code. Parsing such a number anyway is the expensive case
 * (7 digits under "US" try every NANP country, ~60-90 µs); this answers in about a microsecond.
 */
function mayBeValidIn(region: CountryCode, digits: string): boolean {
  const { countries, idd, rewrites } = regionPlans(region);
  if (rewrites || idd.test(digits)) return true;
  for (let start = 0; start < digits.length; start++) {
    const national = digits.slice(start);
    if (countries.some(({ lengths, pattern }) => lengths.has(national.length) && pattern.test(national))) return true;
  }
  return false;
}

/**
 * True when libphonenumber-js accepts the number internationally ("+"/"00") or in one of the regions.
 * Only the digits are parsed, without text extraction: three times faster, same answers.
 */
function isValidNumber(value: string, digits: string, regions: readonly string[]): boolean {
  try {
    if (value.startsWith("+")) return parsePhoneNumberFromString(`+${digits}`, { extract: false })?.isValid() ?? false;
    if (digits.startsWith("00")) return parsePhoneNumberFromString(`+${digits.slice(2)}`, { extract: false })?.isValid() ?? false;
    if (digits.length > MAX_NATIONAL_DIGITS) return false;
    for (const region of regions as CountryCode[]) {
      if (!mayBeValidIn(region, digits)) continue;
      if (parsePhoneNumberFromString(digits, { defaultCountry: region, extract: false })?.isValid()) return true;
    }
  } catch {
    return false;
  }
  return false;
}

export const phoneRecognizer: Recognizer = {
  name: "phone",
  scan(text: string, out: Candidate[], options: ScanOptions): void {
    eachMatch(CANDIDATE, text, (match) => {
      const value = match[0];
      const number = value.replace(EXTENSION, "");
      const digits = number.replace(/\D/g, "");
      if (digits.length < 7 || digits.length > 15 || SAME_DIGIT.test(digits)) return;
      if (DATE_LIKE.test(number) || IPV4_LIKE.test(number) || THOUSANDS.test(number)) return;
      const start = match.index;
      const end = start + value.length;
      const formatted = number.length !== digits.length;
      const valid = validity(number, digits, options);
      const context = hasContext(text, start, end, CONTEXT);
      const value01 = (formatted ? 0.35 : 0.15) + (valid ? 0.3 : 0) + (context ? 0.4 : 0);
      if (value01 < 0.3) return;
      const rule = [valid ? "libphonenumber" : "shape", ...(context ? ["context"] : [])].join("+");
      out.push({ type: "PHONE_NUMBER", start, end, score: score(value01), check: "pii", rule });
    });
  },
};
