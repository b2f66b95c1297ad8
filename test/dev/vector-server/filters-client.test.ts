// Every metadata filter operator through the real client's query (and delete), plus the 400 a
// filter the server does not understand gets, with a message naming what and where.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Index } from "@upstash/vector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVectorServer, type VectorServer } from "../../../dev/vector-server/server";
import { randomNamespace, rawCall, seededRandom, unitVector } from "./fixtures";

const TOKEN = "filter-test-token";
const DIMENSION = 8;
let server: VectorServer;
let dataDir: string;
let nsName: string;
let ns: ReturnType<Index["namespace"]>;
const random = seededRandom(7);

const cities = [
  { id: "istanbul", metadata: { city: "Istanbul", country: "Turkey", capital: false, population: 15460000, geo: { continent: "Asia", lat: 41.0 }, industries: ["Tourism", "Textiles", "Finance"] } },
  { id: "ankara", metadata: { city: "Ankara", country: "Turkey", capital: true, population: 5663000, geo: { continent: "Asia", lat: 39.9 }, industries: ["Government", "Defense"] } },
  { id: "berlin", metadata: { city: "Berlin", country: "Germany", capital: true, population: 3645000, geo: { continent: "Europe", lat: 52.5 }, industries: ["Tourism", "Tech"] } },
  { id: "izmir", metadata: { city: "Izmir", country: "Turkey", capital: false, population: 4367000, industries: ["Port"] } },
  { id: "bare" },
];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "vector-filter-"));
  server = await startVectorServer({ port: 0, token: TOKEN, dataDir, dimension: DIMENSION });
  nsName = randomNamespace("filters");
  ns = new Index({ url: server.url, token: TOKEN, enableTelemetry: false, retry: false }).namespace(nsName);
  await ns.upsert(cities.map((c) => ({ ...c, vector: unitVector(random, DIMENSION) })));
});

afterAll(async () => {
  await ns?.reset().catch(() => undefined);
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const matching = async (filter: string) =>
  (await ns.query({ vector: unitVector(random, DIMENSION), topK: 100, filter })).map((r) => r.id).sort();

describe("filters through the client", () => {
  it.each([
    ["country = 'Turkey'", ["ankara", "istanbul", "izmir"]],
    ['country = "Germany"', ["berlin"]],
    ["capital = true", ["ankara", "berlin"]],
    ["capital != true", ["istanbul", "izmir"]],
    ["population < 4367000", ["berlin"]],
    ["population <= 4367000", ["berlin", "izmir"]],
    ["population > 5663000", ["istanbul"]],
    ["population >= 5663000", ["ankara", "istanbul"]],
    ["city GLOB 'I*'", ["istanbul", "izmir"]],
    ["city GLOB '?[nz]*'", ["ankara", "izmir"]],
    ["city NOT GLOB '*[lr]'", ["ankara", "berlin"]],
    ["country IN ('Germany', 'France')", ["berlin"]],
    ["country NOT IN ('Germany')", ["ankara", "istanbul", "izmir"]],
    ["industries CONTAINS 'Tourism'", ["berlin", "istanbul"]],
    ["industries NOT CONTAINS 'Tourism'", ["ankara", "izmir"]],
    ["HAS FIELD geo", ["ankara", "berlin", "istanbul"]],
    ["HAS NOT FIELD geo", ["bare", "izmir"]],
    ["geo.continent = 'Asia' AND geo.lat > 40", ["istanbul"]],
    ["industries[0] = 'Tourism'", ["berlin", "istanbul"]],
    ["industries[#-1] = 'Port'", ["izmir"]],
    ["country = 'Germany' OR country = 'Turkey' AND capital = true", ["ankara", "berlin"]],
    ["(country = 'Germany' OR country = 'Turkey') AND capital = true", ["ankara", "berlin"]],
    ["(country = 'Germany' OR country = 'Turkey') AND (capital = false OR population > 10000000)", ["istanbul", "izmir"]],
    ["country = 'Turkey' and capital = false and population > 5000000", ["istanbul"]],
  ])("%s", async (filter, expected) => {
    expect(await matching(filter)).toEqual(expected);
  });

  it("returns fewer than topK when the filter admits fewer, best score first", async () => {
    const query = unitVector(random, DIMENSION);
    const all = await ns.query({ vector: query, topK: 100 });
    const turkish = await ns.query({ vector: query, topK: 100, filter: "country = 'Turkey'" });
    expect(turkish.map((r) => r.id)).toEqual(all.filter((r) => ["ankara", "istanbul", "izmir"].includes(String(r.id))).map((r) => r.id));
  });

  it("answers a filter it cannot parse with 400 and a message saying what and where", async () => {
    await expect(ns.query({ vector: unitVector(random, DIMENSION), topK: 1, filter: "city LIKE 'I%'" })).rejects.toThrow(
      "Invalid filter: expected an operator (=, !=, <, <=, >, >=, GLOB, NOT GLOB, IN, NOT IN, CONTAINS, NOT CONTAINS) after 'city', found 'LIKE' at position 6",
    );
    const raw = await rawCall(server.url, `query/${nsName}`, TOKEN, { vector: unitVector(random, DIMENSION), topK: 1, filter: "population > 'many'" });
    expect(raw).toEqual({ status: 400, body: { error: `Invalid filter: operator '>' needs a number, found "many" at position 14`, status: 400 } });
    const del = await rawCall(server.url, `delete/${nsName}`, TOKEN, { filter: "(country = 'Turkey'" });
    expect(del.status).toBe(400);
    expect((await ns.fetch(["ankara"]))[0]?.id).toBe("ankara");
  });
});
