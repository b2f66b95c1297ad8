// Network identifiers: IP_ADDRESS (IPv4 with octet checks; IPv6 parsed, "::" compression and an
// embedded IPv4 tail included), MAC_ADDRESS (colon, dash and Cisco dot forms) and URL (with a
// scheme or "www."; trailing punctuation and an unbalanced ")" are not part of it).
import { contextWords, eachMatch, hasContext, score } from "./context";
import type { Candidate, Recognizer } from "./types";

const IPV4 = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)/g;
const IPV6_CANDIDATE = /(?<![\w:.])[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*(?![\w:])/g;
const IP_CONTEXT = contextWords(["ip", "ips", "ipv4", "ipv6", "address", "host", "server", "client", "gateway", "subnet", "router", "blocked"]);

function isIpv4(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((part) => part.length > 0 && part.length <= 3 && Number(part) <= 255 && (part.length === 1 || part[0] !== "0"));
}

/** True for a textual IPv6 address (RFC 4291 §2.2): 8 groups, or fewer with one "::", optional IPv4 tail. */
export function isIpv6(value: string): boolean {
  if (value.length < 2 || value.length > 45) return false;
  const halves = value.split("::");
  if (halves.length > 2) return false;
  const groupsOf = (half: string | undefined) => (half ? half.split(":") : []);
  const groups = [...groupsOf(halves[0]), ...groupsOf(halves[1])];
  let count = 0;
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    if (i === groups.length - 1 && group.includes(".")) {
      if (!isIpv4(group)) return false;
      count += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(group)) {
      count += 1;
    } else {
      return false;
    }
  }
  if (count === 0) return false;
  return halves.length === 2 ? count < 8 : count === 8;
}

export const ipRecognizer: Recognizer = {
  name: "ip",
  scan(text: string, out: Candidate[]): void {
    const push = (start: number, end: number, rule: string) => {
      const boost = hasContext(text, start, end, IP_CONTEXT) ? 0.35 : 0;
      out.push({ type: "IP_ADDRESS", start, end, score: score(0.6 + boost), check: "pii", rule: boost > 0 ? `${rule}+context` : rule });
    };
    if (text.includes(".")) {
      eachMatch(IPV4, text, (match) => {
        if (isIpv4(match[0])) push(match.index, match.index + match[0].length, "ipv4");
      });
    }
    if (text.includes(":")) {
      eachMatch(IPV6_CANDIDATE, text, (match) => {
        const value = match[0].replace(/\.+$/, "");
        if (value.split(":").length >= 3 && isIpv6(value)) push(match.index, match.index + value.length, "ipv6");
      });
    }
  },
};

const MAC = /(?<![\w:.-])(?:[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![\w]|[:.-][0-9A-Fa-f])/g;
const MAC_CONTEXT = contextWords(["mac", "mac address", "hardware address", "ethernet", "wifi", "wi-fi", "bssid", "nic", "device"]);

export const macRecognizer: Recognizer = {
  name: "mac",
  scan(text: string, out: Candidate[]): void {
    eachMatch(MAC, text, (match) => {
      const start = match.index;
      const end = start + match[0].length;
      const hasHexLetter = /[A-Fa-f]/.test(match[0]);
      const boost = hasContext(text, start, end, MAC_CONTEXT) ? 0.3 : 0;
      out.push({ type: "MAC_ADDRESS", start, end, score: score((hasHexLetter ? 0.6 : 0.4) + boost), check: "pii", rule: boost > 0 ? "format+context" : "format" });
    });
  },
};

const URL_CANDIDATE = /(?<![\w@.])(?:(?:https?|ftp|wss?):\/\/|www\.)[^\s<>"'`{}|\\^[\]]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?*_~]+$/;

/** Drops trailing punctuation and closing parentheses that have no opening one inside the URL. */
function trimUrl(value: string): string {
  let url = value.replace(TRAILING_PUNCTUATION, "");
  while (url.endsWith(")") && (url.match(/\(/g)?.length ?? 0) < (url.match(/\)/g)?.length ?? 0)) {
    url = url.slice(0, -1).replace(TRAILING_PUNCTUATION, "");
  }
  return url;
}

const HOST = /^(?:[a-z]+:\/\/)?(?:[^/?#@\s]*@)?([^/?#:\s]+)/i;

export const urlRecognizer: Recognizer = {
  name: "url",
  scan(text: string, out: Candidate[]): void {
    if (!text.includes("://") && !/www\./i.test(text)) return;
    eachMatch(URL_CANDIDATE, text, (match) => {
      const url = trimUrl(match[0]);
      const host = HOST.exec(url)?.[1] ?? "";
      if (!host.includes(".") && host !== "localhost") return;
      out.push({ type: "URL", start: match.index, end: match.index + url.length, score: 0.6, check: "pii", rule: "url" });
    });
  },
};
