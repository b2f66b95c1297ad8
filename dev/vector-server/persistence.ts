// Persistence of the local Upstash Vector server to `dataDir/vector-index.bin`: one file holding a
// JSON manifest (ids, metadata, data, order) followed by the raw little-endian Float32 rows of every
// namespace. Writes are debounced, go to a temp file that is fsynced and renamed over the old one
// (atomic), and `close()` flushes whatever is still pending. `loadIndex` restores it on start.
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { NamespaceStore, VectorIndex } from "./store";
import { SIMILARITY_FUNCTIONS, type SimilarityFunction } from "./similarity";

const MAGIC = "UVLS";
const FORMAT_VERSION = 1;
const HEADER_BYTES = 12;
export const SNAPSHOT_FILE = "vector-index.bin";

const manifestSchema = z.object({
  dimension: z.number().int().positive(),
  similarity: z.enum(SIMILARITY_FUNCTIONS),
  namespaces: z.array(
    z.object({
      name: z.string(),
      nextSeq: z.number().int().nonnegative(),
      ids: z.array(z.string()),
      seqs: z.array(z.number().int()),
      metadata: z.array(z.record(z.string(), z.unknown()).nullable()),
      data: z.array(z.string().nullable()),
    }),
  ),
});
type Manifest = z.infer<typeof manifestSchema>;

function encodeSnapshot(index: VectorIndex): Buffer[] {
  const rows: Float32Array[] = [];
  const manifest: Manifest = { dimension: index.dimension, similarity: index.similarity, namespaces: [] };
  for (const [name, store] of index.entries()) {
    const { vectors, ...rest } = store.snapshot();
    rows.push(vectors);
    manifest.namespaces.push({ name, ...rest });
  }
  const json = Buffer.from(JSON.stringify(manifest), "utf8");
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, "ascii");
  header.writeUInt32LE(FORMAT_VERSION, 4);
  header.writeUInt32LE(json.length, 8);
  const padding = Buffer.alloc((4 - ((HEADER_BYTES + json.length) % 4)) % 4);
  return [header, json, padding, ...rows.map((r) => Buffer.from(r.buffer, r.byteOffset, r.byteLength))];
}

/** Restores a snapshot into `index`; returns false when dataDir holds none. Throws if it is unusable. */
export async function loadIndex(dataDir: string, index: VectorIndex): Promise<boolean> {
  const file = join(dataDir, SNAPSHOT_FILE);
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (!bytes) return false;
  if (bytes.length < HEADER_BYTES || bytes.toString("ascii", 0, 4) !== MAGIC || bytes.readUInt32LE(4) !== FORMAT_VERSION) {
    throw new Error(`${file} is not a vector snapshot of format ${FORMAT_VERSION}`);
  }
  const jsonLength = bytes.readUInt32LE(8);
  const manifest = manifestSchema.parse(JSON.parse(bytes.toString("utf8", HEADER_BYTES, HEADER_BYTES + jsonLength)));
  if (manifest.dimension !== index.dimension || manifest.similarity !== index.similarity) {
    throw new Error(
      `${file} holds a ${manifest.dimension}-dim ${manifest.similarity} index, but the server was started with ` +
        `dimension ${index.dimension} and ${index.similarity}; use another dataDir or matching options`,
    );
  }
  let offset = HEADER_BYTES + jsonLength + ((4 - ((HEADER_BYTES + jsonLength) % 4)) % 4);
  for (const { name, ...namespace } of manifest.namespaces) {
    const byteLength = namespace.ids.length * index.dimension * 4;
    if (offset + byteLength > bytes.length) throw new Error(`${file} is truncated`);
    const vectors = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + byteLength));
    offset += byteLength;
    const store: NamespaceStore = index.namespaceForWrite(name);
    store.restore({ ...namespace, vectors });
  }
  return true;
}

/**
 * Debounced, atomic snapshot writer for one index: writes once changes have been quiet for
 * `debounceMs`, but at least every `maxDelayMs` while they keep coming (e.g. during a bulk fill).
 */
export class SnapshotWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private firstChangeAt = 0;
  private lastChangeAt = 0;

  constructor(
    private readonly dataDir: string,
    private readonly index: VectorIndex,
    private readonly debounceMs: number,
    private readonly maxDelayMs = Math.max(debounceMs, 5000),
  ) {}

  /** Cheap enough to call per record: only notes the time and arms one timer. */
  markDirty(): void {
    const now = Date.now();
    if (!this.dirty) this.firstChangeAt = now;
    this.dirty = true;
    this.lastChangeAt = now;
    this.timer ??= setTimeout(() => this.onTimer(), this.debounceMs);
  }

  private onTimer(): void {
    this.timer = undefined;
    const now = Date.now();
    const quietFor = now - this.lastChangeAt;
    const waitingFor = now - this.firstChangeAt;
    if (quietFor >= this.debounceMs || waitingFor >= this.maxDelayMs) void this.flush();
    else this.timer = setTimeout(() => this.onTimer(), Math.min(this.debounceMs - quietFor, this.maxDelayMs - waitingFor));
  }

  /** Writes now if anything changed (waiting for a write already in flight first). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    this.writing = this.write()
      .catch((error: unknown) => {
        this.dirty = true;
        console.error(`[vector-server] could not persist to ${this.dataDir}: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
  }

  private async write(): Promise<void> {
    const buffers = encodeSnapshot(this.index);
    await mkdir(this.dataDir, { recursive: true });
    const target = join(this.dataDir, SNAPSHOT_FILE);
    const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
    const handle = await open(temp, "w");
    try {
      for (const buffer of buffers) {
        for (let written = 0; written < buffer.length; ) {
          written += (await handle.write(buffer, written, buffer.length - written)).bytesWritten;
        }
      }
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temp, target);
  }
}
