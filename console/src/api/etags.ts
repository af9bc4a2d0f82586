/** One remembered representation: the server's ETag and the data that came with it. */
export interface Tagged {
  etag: string;
  data: unknown;
}

/**
 * ETags and the data they tag, per URL, in memory only: never written to any browser storage, and
 * cleared on sign-out. Bounded (least recently used out first) so a long session cannot grow it
 * without limit. Not thread-safe in any meaningful sense: the browser runs it on one thread.
 */
export class EtagStore {
  private readonly entries = new Map<string, Tagged>();

  constructor(private readonly capacity = 500) {}

  get(url: string): Tagged | undefined {
    const entry = this.entries.get(url);
    if (entry) {
      // Re-insert: Map iteration order is insertion order, so the oldest use comes first.
      this.entries.delete(url);
      this.entries.set(url, entry);
    }
    return entry;
  }

  set(url: string, etag: string, data: unknown): void {
    this.entries.delete(url);
    this.entries.set(url, { etag, data });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  delete(url: string): void {
    this.entries.delete(url);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
