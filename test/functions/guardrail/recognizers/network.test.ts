// IP_ADDRESS (IPv4 octets, IPv6 forms), MAC_ADDRESS, URL.
import { describe, expect, it } from "vitest";
import { isIpv6 } from "../../../../functions/guardrail/recognizers/network";
import { found } from "../helpers";

describe("IP_ADDRESS", () => {
  it("finds IPv4 addresses and rejects octets over 255, leading zeros and longer dotted runs", () => {
    expect(found("blocked from 41.173.96.26 today")).toEqual(["IP_ADDRESS:41.173.96.26"]);
    expect(found("256.1.1.1 and 01.2.3.4 and 1.2.3.4.5")).toEqual([]);
  });
  it("parses IPv6: full, compressed, loopback, embedded IPv4", () => {
    for (const address of ["2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:db8::8a2e:370:7334", "::1", "fe80::", "::ffff:192.0.2.128", "6e40:4041:c617:e898:c11:40d2:c669:2eb4"]) {
      expect(isIpv6(address), address).toBe(true);
    }
    for (const value of ["12:30:45", "1::2::3", "2001:db8:85a3:0:0:8a2e:370:7334:1", "::", "gggg::1", "00:1A:2B:3C:4D:5E"]) {
      expect(isIpv6(value), value).toBe(false);
    }
  });
  it("finds IPv6 in text but not clock times", () => {
    expect(found("host 2001:db8::8a2e:370:7334 is down")).toEqual(["IP_ADDRESS:2001:db8::8a2e:370:7334"]);
    expect(found("meet at 12:30:45")).toEqual([]);
  });
});

describe("MAC_ADDRESS", () => {
  it("finds colon, dash and dotted forms; rejects mixed separators", () => {
    expect(found("mac 00:1A:2B:3C:4D:5E")).toEqual(["MAC_ADDRESS:00:1A:2B:3C:4D:5E"]);
    expect(found("nic 00-1a-2b-3c-4d-5e")).toEqual(["MAC_ADDRESS:00-1a-2b-3c-4d-5e"]);
    expect(found("device 001a.2b3c.4d5e")).toEqual(["MAC_ADDRESS:001a.2b3c.4d5e"]);
    expect(found("00:1A-2B:3C:4D:5E")).toEqual([]);
  });
});

describe("URL", () => {
  it("finds scheme and www URLs without trailing punctuation or an unbalanced parenthesis", () => {
    expect(found("see https://example.com/a?b=1.")).toEqual(["URL:https://example.com/a?b=1"]);
    expect(found("(www.example.org/x)")).toEqual(["URL:www.example.org/x"]);
    expect(found("[docs](https://en.wikipedia.org/wiki/Foo_(bar))")).toEqual(["URL:https://en.wikipedia.org/wiki/Foo_(bar)"]);
  });
  it("does not take an email's domain or a dotless host for a URL", () => {
    expect(found("mail bob@www.example.com")).toEqual(["EMAIL_ADDRESS:bob@www.example.com"]);
    expect(found("http://intranet/x")).toEqual([]);
  });
  it("keeps an email inside a URL as its own finding", () => {
    expect(found("https://example.com/?to=jane@example.org")).toEqual(["URL:https://example.com/?to=jane@example.org", "EMAIL_ADDRESS:jane@example.org"]);
  });
});
