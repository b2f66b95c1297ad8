// What the hit verifier reads from a query: tokens with their casing, numbers and codes, named
// entities (capitalised tokens), negation, and content words with light stems and IDF weights.
// Pure string work, no models: runs on every semantic candidate in well under a millisecond.
import { UNKNOWN_WORD_IDF, wordIdf } from "./word-idf";

export interface ContentWord {
  word: string;
  stem: string;
  idf: number;
}

export interface QueryFeatures {
  /** Stems of every token (lowercase), for "does the other query mention this at all". */
  stems: Set<string>;
  /** Digit runs ("5", "1" and "0" of "1Z0", "6" of "S6", "1" of "1st") and number words as digits ("five", "fifth" → "5"). */
  numbers: Set<string>;
  /** Lowercase stems of capitalised tokens that are not merely sentence-initial ("Nepal", "iPhone", "GMAT"). */
  entities: Set<string>;
  negated: boolean;
  /** Entity stems in order of first appearance, for "A vs B" against "B vs A". */
  entityOrder: string[];
  /** Grammatical persons addressed or referred to: "1s" (I, my), "1p" (we), "2" (you), "3" (he, they). */
  persons: Set<string>;
  content: ContentWord[];
}

const STOPWORDS = new Set(
  (
    "a about above after again against all also am an and any are as at be because been before being below between both but by " +
    "can could did do does doing done down during each either else ever every few for from further get gets getting got had has have having " +
    "he her here hers herself him himself his how i if in into is it its itself just let lets me might more most much must my myself " +
    "of off on once one only or other others ought our ours ourselves out over own per please quite rather really same shall she should " +
    "so some such than that the their theirs them themselves then there these they this those through to too under until up upon us " +
    "very was we were what whats when where whether which while who whom whose why will with within would you your yours yourself " +
    "yourselves s t d ll m re ve"
  ).split(" "),
);

/** Negations change the answer; "n't" endings count too (can't, doesn't, won't). */
const NEGATIONS = new Set("not no never none nobody nothing nowhere neither nor without cannot cant dont doesnt didnt isnt arent wasnt werent wont wouldnt shouldnt couldnt hasnt havent hadnt".split(" "));

/** Number words that are almost always numbers ("one" and "second" are left out: "which one", "a second"). */
const NUMBER_WORDS: Record<string, string> = Object.fromEntries([
  ..."zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"
    .split(" ")
    .map((word, i) => [word, String(i)]),
  ..."_ first _ third fourth fifth sixth seventh eighth ninth tenth".split(" ").map((word, i) => [word, String(i)]),
  ...[["thirty", "30"], ["forty", "40"], ["fifty", "50"], ["sixty", "60"], ["seventy", "70"], ["eighty", "80"], ["ninety", "90"], ["hundred", "100"], ["thousand", "1000"], ["million", "1000000"], ["billion", "1000000000"]],
].filter(([word]) => word !== "_"));

/** Pronouns by grammatical person; "my account" and "your account" are different questions. */
const PERSONS: Record<string, string> = Object.fromEntries(
  [
    ["1s", "i me my mine myself"],
    ["1p", "we us our ours ourselves"],
    ["2", "you your yours yourself yourselves"],
    ["3", "he him his himself she her hers herself they them their theirs themselves"],
  ].flatMap(([person, words]) => words!.split(" ").map((word) => [word, person!])),
);

/** Words, numbers and codes; "C++", "C#" and "don't" stay one token. */
const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*(?:\+\+|#)?/gu;
const SENTENCE_END = /[.?!:;]\s*$/;

/** Lowercase light stem: plural and common verb endings, so "fractions"/"fraction" and "studied"/"study" meet. */
function stem(word: string): string {
  let w = word.toLowerCase().replace(/['’]s$/, "").replace(/['’]/g, "");
  if (w.length > 4 && w.endsWith("ies")) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ied")) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  if (w.length > 4 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

/** Whether two stems name the same word: equal, or one a prefix of the other of at least 5 letters ("breath"/"breathe"). */
function sameStem(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 5 && long.startsWith(short);
}

/** The IDF of a word by its surface form, else its stem; unknown words are rarest. */
function idfOf(word: string, wordStem: string): number {
  return wordIdf(word) ?? wordIdf(wordStem) ?? UNKNOWN_WORD_IDF;
}

interface Token {
  text: string;
  lower: string;
  sentenceStart: boolean;
}

function tokenize(text: string): Token[] {
  const cleaned = text.normalize("NFKC").replace(/(\d),(?=\d{3}\b)/g, "$1");
  const tokens: Token[] = [];
  let last = 0;
  for (const match of cleaned.matchAll(TOKEN)) {
    const start = match.index;
    const between = cleaned.slice(last, start);
    const sentenceStart = tokens.length === 0 || SENTENCE_END.test(between);
    tokens.push({ text: match[0], lower: match[0].toLowerCase(), sentenceStart });
    last = start + match[0].length;
  }
  return tokens;
}

const isCapitalised = (token: string) => /^\p{Lu}/u.test(token);
const hasInnerCapital = (token: string) => /^.+\p{Lu}/u.test(token);
const isAllCaps = (token: string) => /^\p{Lu}[\p{Lu}\p{N}]+$/u.test(token);
const isNegation = (lower: string) => NEGATIONS.has(lower.replace(/['’]/g, "")) || /n['’]t$/.test(lower);

/** How the query uses capitals: normally, Title Case (most words capitalised) or SHOUTING (most words in capitals). */
function casingStyle(tokens: Token[]): "normal" | "title" | "shouting" {
  const words = tokens.filter((token) => /\p{L}/u.test(token.text));
  if (words.length < 4) return "normal";
  const share = (test: (text: string) => boolean) => words.filter((token) => test(token.text)).length / words.length;
  if (share(isAllCaps) > 0.6) return "shouting";
  return share(isCapitalised) > 0.6 ? "title" : "normal";
}

/**
 * Whether a token names something: an acronym ("GMAT", "US"), an inner capital ("iPhone"), or a
 * capitalised word that does not merely start a sentence ("Nepal", "vitamin A"), except "I".
 * In Title Case only acronyms and inner capitals count; in SHOUTING nothing does.
 */
function isEntity(token: Token, style: "normal" | "title" | "shouting"): boolean {
  if (style === "shouting" || /\p{N}/u.test(token.text) || /^i(['’]|$)/.test(token.lower)) return false;
  if (isAllCaps(token.text) || hasInnerCapital(token.text)) return true;
  if (style === "title" || token.sentenceStart || !isCapitalised(token.text)) return false;
  return token.text.length === 1 || !STOPWORDS.has(token.lower.replace(/['’]/g, ""));
}

/**
 * Reads the verifier's features from a query: every token's stem, numbers (digits and number
 * words), entities (isEntity) in order, negation, grammatical persons, and the content words
 * (not stopwords, numbers or negations) with their IDF.
 */
export function queryFeatures(text: string): QueryFeatures {
  const tokens = tokenize(text);
  const style = casingStyle(tokens);
  const features: QueryFeatures = { stems: new Set(), numbers: new Set(), entities: new Set(), negated: false, entityOrder: [], persons: new Set(), content: [] };
  for (const token of tokens) {
    const tokenStem = stem(token.text);
    features.stems.add(tokenStem);
    for (const digits of token.text.match(/\p{N}+/gu) ?? []) features.numbers.add(digits);
    if (NUMBER_WORDS[token.lower]) features.numbers.add(NUMBER_WORDS[token.lower]!);
    if (isNegation(token.lower)) features.negated = true;
    const person = PERSONS[token.lower.replace(/['’].*$/, "")];
    if (person && !(person === "1p" && isAllCaps(token.text))) features.persons.add(person);
    const entity = isEntity(token, style);
    if (entity && !features.entities.has(tokenStem)) {
      features.entities.add(tokenStem);
      features.entityOrder.push(tokenStem);
    }
    const plain = token.lower.replace(/['’]/g, "");
    if (!entity && (STOPWORDS.has(plain) || /\p{N}/u.test(token.text) || isNegation(token.lower))) continue;
    features.content.push({ word: token.lower, stem: tokenStem, idf: idfOf(token.lower, tokenStem) });
  }
  return features;
}

/** Whether a stem occurs among a query's stems (by sameStem). */
export function mentions(features: QueryFeatures, wordStem: string): boolean {
  if (features.stems.has(wordStem)) return true;
  for (const other of features.stems) if (sameStem(other, wordStem)) return true;
  return false;
}
