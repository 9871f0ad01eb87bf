// The outbox: playback events on their way to POST /v1/me/player/events.
//
// Every event is kept in IndexedDB from the moment it is made until the server has answered for
// it, so events made offline, or whose send failed, survive a reload and go out later with their
// original timestamps. They are sent in batches (at most MAX_BATCH a request):
//   - as soon as FLUSH_AT are waiting, every FLUSH_EVERY_MS, and whenever the reporter asks (a
//     pause, a track change), through the API helper (bearer token, refresh on 401);
//   - when the page is hidden or closed, with navigator.sendBeacon (the token in the body, since
//     a beacon cannot set headers). A beacon's answer is never seen, so those events stay kept
//     and are sent again later (the server answers "duplicate" for what it has);
//   - when the browser comes back online.
// A 503 (after its Retry-After) or a network failure keeps the events for another try; an
// event the server rejects is dropped with a warning. Events belong to the user signed in when
// they were made, and are only ever sent with that user's token.
import { ApiError, postJson } from "./api";
import { signedIn, storedAccessToken } from "./auth";

export const EVENTS_PATH = "/v1/me/player/events";

export type PlayEventType =
  | "play.start"
  | "play.progress"
  | "play.pause"
  | "play.resume"
  | "play.seek"
  | "play.skip"
  | "play.end";

export interface PlayEvent {
  type: PlayEventType;
  event_id: string;
  track_id: string;
  context_uri: string | null;
  device_id: string;
  position_ms: number;
  ms_played: number;
  timestamp: string;
  offline: boolean;
}

export interface EventResult {
  event_id: string;
  status: "accepted" | "duplicate" | "rejected";
  reason?: string;
}

export interface OutboxStats {
  /** Events waiting (any user's). */
  queued: number;
  /** Events the server has answered for since this page loaded, by status. */
  sent: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  /** The results of the last batch answered. */
  lastResults: EventResult[];
  /** Whether a send is on its way. */
  sending: boolean;
  /** The events waiting, oldest first (copies). */
  pending: PlayEvent[];
  /** What went wrong with the last send, if it failed. */
  lastError: string | null;
}

/** One kept event: whose it is, and whether a beacon took it already. */
interface Kept {
  id: string;
  seq: number;
  /** The user it was made for; null when not known yet (adopted by the next user known). */
  owner: string | null;
  /** When (epoch ms) a beacon from this page took it; null if none did. (Not kept across
   * pages: whatever a closing page's beacon took is sent again by the next, as a duplicate.) */
  beaconedAt: number | null;
  event: PlayEvent;
}

const MAX_BATCH = 500;
const FLUSH_AT = 20;
const FLUSH_EVERY_MS = 30_000;
/** A beacon is given this long to land before the same events go out again by fetch. */
const BEACON_GRACE_MS = 15_000;
/** sendBeacon refuses payloads over 64 KiB (and all of them share that budget). */
const BEACON_BYTES = 60_000;
/** Beyond this many, the oldest events are dropped (a device offline for weeks). */
const MAX_KEPT = 10_000;
const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 60_000;

const DB_NAME = "tonearm";
const DB_STORE = "events";

// ---- IndexedDB ---------------------------------------------------------------------------------

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** The store of kept events; null where there is no IndexedDB (then they are kept in memory). */
class EventStore {
  private db: Promise<IDBDatabase | null>;

  constructor() {
    this.db = this.open().catch((error: unknown) => {
      console.warn("playback events: IndexedDB unavailable, kept in memory only", error);
      return null;
    });
  }

  private open(): Promise<IDBDatabase | null> {
    if (typeof indexedDB === "undefined") return Promise.resolve(null);
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(DB_STORE)) {
        req.result.createObjectStore(DB_STORE, { keyPath: "id" });
      }
    };
    return request(req);
  }

  async all(): Promise<Kept[]> {
    const db = await this.db;
    if (!db) return [];
    const store = db.transaction(DB_STORE, "readonly").objectStore(DB_STORE);
    return (await request(store.getAll())) as Kept[];
  }

  async put(items: Kept[]): Promise<void> {
    await this.write((store) => items.forEach((item) => store.put(item)));
  }

  async delete(ids: string[]): Promise<void> {
    await this.write((store) => ids.forEach((id) => store.delete(id)));
  }

  private async write(work: (store: IDBObjectStore) => void): Promise<void> {
    const db = await this.db;
    if (!db) return;
    try {
      const tx = db.transaction(DB_STORE, "readwrite");
      work(tx.objectStore(DB_STORE));
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    } catch (error) {
      console.warn("playback events: could not update IndexedDB", error);
    }
  }
}

// ---- the outbox --------------------------------------------------------------------------------

export class Outbox {
  private kept: Kept[] = [];
  private readonly store = new EventStore();
  private readonly loaded: Promise<void>;
  private seq = 0;
  private owner: string | null = null;
  /** Finds out who is signed in when nobody said (a reload while /v1/me failed). */
  private whoami: (() => Promise<string | null>) | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  /** No sends before this (epoch ms): the server asked to wait (503 Retry-After). */
  private holdUntil = 0;
  private retryDelay = RETRY_MIN_MS;
  private retryTimer = 0;
  private counts = { accepted: 0, duplicate: 0, rejected: 0 };
  private lastResults: EventResult[] = [];
  private lastError: string | null = null;

  constructor(private readonly url = EVENTS_PATH) {
    this.loaded = this.store.all().then(
      (stored) => {
        const known = new Set(this.kept.map((item) => item.id));
        for (const item of stored) if (!known.has(item.id)) this.kept.push({ ...item, beaconedAt: null });
        this.kept.sort((a, b) => a.seq - b.seq);
        this.seq = Math.max(this.seq, ...this.kept.map((item) => item.seq));
      },
      (error: unknown) => console.warn("playback events: could not read IndexedDB", error),
    );
    void this.loaded.then(() => this.flush());
    setInterval(() => {
      if (this.kept.length) void this.flush();
    }, FLUSH_EVERY_MS);
    window.addEventListener("online", () => void this.flush());
    window.addEventListener("pagehide", () => this.beacon());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.beacon();
    });
  }

  /** The signed-in user's id (from /v1/me), or null when signed out. Events made before the
   * user was known become theirs. */
  setUser(id: string | null): void {
    this.owner = id;
    if (id === null) return;
    const adopted = this.kept.filter((item) => item.owner === null);
    for (const item of adopted) item.owner = id;
    if (adopted.length) void this.store.put(adopted);
    void this.flush();
  }

  /** How to find out who is signed in, when setUser has not been told. */
  identify(whoami: () => Promise<string | null>): void {
    this.whoami = whoami;
  }

  add(event: PlayEvent): void {
    const now = Date.now();
    this.seq = Math.max(this.seq + 1, now * 1000);
    const item: Kept = { id: event.event_id, seq: this.seq, owner: this.owner, beaconedAt: null, event };
    this.kept.push(item);
    void this.store.put([item]);
    if (this.kept.length > MAX_KEPT) {
      const dropped = this.kept.splice(0, this.kept.length - MAX_KEPT);
      console.warn(`playback events: ${dropped.length} old events dropped (too many kept)`);
      void this.store.delete(dropped.map((d) => d.id));
    }
    if (this.due().length >= FLUSH_AT) void this.flush();
  }

  stats(): OutboxStats {
    const { accepted, duplicate, rejected } = this.counts;
    return {
      queued: this.kept.length,
      sent: accepted + duplicate + rejected,
      accepted,
      duplicate,
      rejected,
      lastResults: this.lastResults.slice(),
      sending: this.running !== null,
      pending: this.kept.map((item) => ({ ...item.event })),
      lastError: this.lastError,
    };
  }

  /** Send what is waiting (the signed-in user's), in batches, until nothing is or a send fails.
   * Resolves when done; a send already on its way goes on to include what came since. */
  flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    await this.loaded;
    do {
      this.again = false;
      while (await this.sendBatch()) {
        // on to the next batch
      }
    } while (this.again);
  }

  /** The events that may go out now: the signed-in user's, not just given to a beacon. */
  private due(): Kept[] {
    const owner = this.owner;
    const now = Date.now();
    return this.kept.filter(
      (item) =>
        (item.owner === owner || item.owner === null) &&
        (item.beaconedAt === null || now - item.beaconedAt > BEACON_GRACE_MS),
    );
  }

  /** One batch: whether another should follow at once. */
  private async sendBatch(): Promise<boolean> {
    if (!this.kept.length || !navigator.onLine || Date.now() < this.holdUntil || !signedIn()) return false;
    if (this.owner === null && this.whoami) {
      try {
        const id = await this.whoami();
        if (id !== null && this.owner === null) this.setUser(id);
      } catch {
        return false; // offline or signed out: later
      }
    }
    if (this.owner === null) return false;
    const batch = this.due().slice(0, MAX_BATCH);
    if (!batch.length) return false;
    let results: EventResult[];
    try {
      const answer = await postJson<{ events: EventResult[] }>(this.url, {
        events: batch.map((item) => item.event),
      });
      results = Array.isArray(answer?.events) ? answer.events : [];
    } catch (error) {
      return this.failed(batch, error);
    }
    this.retryDelay = RETRY_MIN_MS;
    this.lastError = null;
    // An answer that settles none of the batch would send it straight back: try again later.
    if (!this.settle(batch, results)) {
      this.lastError = "the server answered for none of the events sent";
      this.retryLater(this.retryDelay);
      return false;
    }
    return true;
  }

  /** Drop what the server answered for; warn about what it rejected. Whether any was. */
  private settle(batch: Kept[], results: EventResult[]): boolean {
    const answered = new Map(results.map((result) => [result.event_id, result]));
    const done = new Set<string>();
    for (const item of batch) {
      const result = answered.get(item.id);
      if (!result) continue; // not answered for: sent again with the next batch
      done.add(item.id);
      if (result.status === "rejected") {
        this.counts.rejected += 1;
        console.warn(`playback event ${item.event.type} ${item.id} rejected: ${result.reason ?? "no reason given"}`);
      } else if (result.status === "duplicate") {
        this.counts.duplicate += 1;
      } else {
        this.counts.accepted += 1;
      }
    }
    this.lastResults = results;
    this.kept = this.kept.filter((item) => !done.has(item.id));
    void this.store.delete([...done]);
    return done.size > 0;
  }

  /** A batch was not answered for: keep it and try again later, unless the server refused the
   * request itself for good. Returns false (no further batch now). */
  private failed(batch: Kept[], error: unknown): boolean {
    const status = error instanceof ApiError ? error.status : 0;
    this.lastError = error instanceof Error ? error.message : String(error);
    if (status === 400 || status === 413 || status === 422) {
      // The request itself is refused (not the events one by one): sending it again will not help.
      console.warn(`playback events: ${batch.length} dropped, the server refused the batch (${status}: ${this.lastError})`);
      const ids = new Set(batch.map((item) => item.id));
      this.kept = this.kept.filter((item) => !ids.has(item.id));
      void this.store.delete([...ids]);
      return false;
    }
    const wait = error instanceof ApiError ? error.retryAfter : null;
    if (wait !== null && (status === 503 || status === 429)) {
      this.holdUntil = Date.now() + wait * 1000;
      this.retryLater(wait * 1000);
    } else {
      // Offline, the server unreachable or failing, the session gone: another try later.
      this.retryLater(this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
    }
    return false;
  }

  private retryLater(ms: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => void this.flush(), ms);
  }

  /** The page is going away (or out of sight): hand what is waiting to sendBeacon. */
  beacon(): void {
    const token = storedAccessToken();
    if (!token || !navigator.onLine || typeof navigator.sendBeacon !== "function") return;
    const owner = this.owner;
    const waiting = this.kept.filter(
      (item) => (item.owner === owner || item.owner === null) && item.beaconedAt === null,
    );
    const taken: Kept[] = [];
    let chunk: Kept[] = [];
    let bytes = 0;
    const send = (): boolean => {
      if (!chunk.length) return true;
      const json = JSON.stringify({ access_token: token, events: chunk.map((item) => item.event) });
      const queued = navigator.sendBeacon(this.url, new Blob([json], { type: "text/plain;charset=UTF-8" }));
      if (queued) taken.push(...chunk);
      chunk = [];
      bytes = 0;
      return queued;
    };
    for (const item of waiting) {
      const size = JSON.stringify(item.event).length + 1;
      if (chunk.length && (bytes + size > BEACON_BYTES - 200 || chunk.length >= MAX_BATCH)) {
        if (!send()) break; // the browser's beacon budget is spent
      }
      chunk.push(item);
      bytes += size;
    }
    send();
    const now = Date.now();
    for (const item of taken) item.beaconedAt = now;
  }
}
