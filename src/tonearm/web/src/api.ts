// The catalog and delivery API, same origin, Spotify Web API shapes; every request carries the
// signed-in user's bearer token (auth.ts).
import { accessToken, recover, sessionLost } from "./auth";

export interface ArtistRef {
  id: string;
  name: string;
}

export interface Artist extends ArtistRef {
  genres?: string[];
  popularity?: number;
  followers?: { total: number };
}

export interface Image {
  url: string;
  width: number | null;
  height: number | null;
}

export interface AlbumSimple {
  id: string;
  name: string;
  images?: Image[];
  album_type: string;
  release_date: string;
  total_tracks: number;
  artists: ArtistRef[];
}

export interface TrackSimple {
  id: string;
  name: string;
  duration_ms: number;
  track_number: number;
  disc_number: number;
  explicit: boolean;
  artists: ArtistRef[];
}

export interface Paging<T> {
  href: string;
  items: T[];
  limit: number;
  next: string | null;
  offset: number;
  previous: string | null;
  total: number;
}

/** A track with its album, as /v1/tracks, playlists and the library return it. */
export interface TrackFull extends TrackSimple {
  uri: string;
  album: AlbumSimple;
  is_playable?: boolean | null;
}

export interface AlbumFull extends AlbumSimple {
  tracks: Paging<TrackSimple>;
  genres?: string[];
  label?: string;
}

export interface Rendition {
  rung: string;
  codec: string;
  bitrate: number;
  container: string;
  url: string;
  sample_rate: number;
  channels: number;
  encoder_delay: number;
  padding: number;
  samples: number;
  bytes: number;
}

export interface Manifest {
  track_id: string;
  duration_ms: number;
  renditions: Rendition[];
  hls: string | null;
  loudness: { integrated_lufs: number; true_peak_dbtp: number; gain_db: number };
  expires_at: number;
}

export type Product = "premium" | "free";

/** The signed-in user, as /v1/me shows them to themselves. */
export interface Me {
  id: string;
  display_name: string | null;
  country: string;
  product: Product;
  email?: string;
  explicit_content: { filter_enabled: boolean };
}

/** One type-ahead match: a track, an artist or an album, as the suggest endpoint cards it. */
export interface Suggestion {
  type: "track" | "artist" | "album";
  id: string;
  uri: string;
  name: string;
  artists?: ArtistRef[];
  album?: { id: string; name: string };
  album_type?: string;
  release_date?: string;
}

export interface Suggestions {
  q: string;
  items: Suggestion[];
  did_you_mean: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds the server asked to wait (Retry-After on a 503 or 429), else null. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** A same-origin path for an API URL: `next` links are absolute and may name another host. */
function localPath(url: string): string {
  if (url.startsWith("/")) return url;
  const parsed = new URL(url, location.href);
  return parsed.pathname + parsed.search;
}

// ---- rate limits -----------------------------------------------------------------------------

/** Over its quota the server says how long to wait (Retry-After); until then nothing is sent. */
let quietUntil = 0;
const RATE_LIMIT_RETRIES = 3;
const noticeListeners = new Set<(message: string, seconds: number) => void>();

/** Called with a short message for the user when the server asks the player to slow down. */
export function onNotice(listener: (message: string, seconds: number) => void): void {
  noticeListeners.add(listener);
}

function retryAfterSeconds(response: Response): number {
  const value = response.headers.get("Retry-After") ?? "";
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  // An answer without a usable value still gets a pause; a huge one is capped at a minute.
  return Number.isFinite(seconds) ? Math.min(Math.max(seconds, 1), 60) : 5;
}

function slowDown(seconds: number): void {
  quietUntil = Math.max(quietUntil, Date.now() + seconds * 1000);
  const message = `Too many requests: trying again in ${Math.ceil(seconds)} s.`;
  for (const listener of noticeListeners) listener(message, seconds);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener("abort", abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", abort, { once: true });
  });
}

// ---- the one way to /v1 ------------------------------------------------------------------------

/** A request with a body: `body` is sent as JSON, or as it is when it comes with its `type`. */
interface Outgoing {
  method: "POST" | "PUT" | "DELETE";
  body: unknown;
  type?: string;
}

async function send(
  path: string,
  token: string | null,
  signal?: AbortSignal,
  outgoing?: Outgoing,
): Promise<Response> {
  const wait = quietUntil - Date.now();
  if (wait > 0) await sleep(wait, signal);
  const headers: Record<string, string> = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const init: RequestInit = { headers, signal };
  if (outgoing) {
    init.method = outgoing.method;
    // A null body is no body: the ids of PUT /me/tracks?ids= and the like are in the query.
    if (outgoing.type !== undefined) {
      headers["Content-Type"] = outgoing.type;
      init.body = outgoing.body as BodyInit;
    } else if (outgoing.body !== null) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(outgoing.body);
    }
  }
  try {
    return await fetch(path, init);
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, "the server cannot be reached");
  }
}

async function bearer(): Promise<string | null> {
  try {
    return await accessToken();
  } catch {
    throw new ApiError(0, "the sign-in service cannot be reached");
  }
}

/**
 * A /v1 request with the signed-in user's bearer token. A 401 is answered by one refresh and one
 * retry (if that fails too, the player is signed out); a 429 by waiting as long as the server's
 * Retry-After says, then trying again (a few times at most).
 */
async function authorizedFetch(
  url: string,
  signal?: AbortSignal,
  outgoing?: Outgoing,
): Promise<Response> {
  const path = localPath(url);
  let token = await bearer();
  let response = await send(path, token, signal, outgoing);
  if (response.status === 401 && token) {
    try {
      token = await recover(token);
    } catch {
      throw new ApiError(0, "the sign-in service cannot be reached");
    }
    if (token) {
      response = await send(path, token, signal, outgoing);
      if (response.status === 401) sessionLost();
    }
  }
  // Requests held back together go out together when the wait is over, and may meet the limit
  // again: a few more tries, each after the wait the server asks for.
  for (let tries = 0; response.status === 429 && tries < RATE_LIMIT_RETRIES; tries++) {
    slowDown(retryAfterSeconds(response));
    response = await send(path, token, signal, outgoing);
  }
  return response;
}

/** The JSON body of an answer, or an ApiError for a status other than 2xx. */
async function answerOf<T>(response: Response): Promise<T> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // an empty or non-JSON body: reported below by status
  }
  if (!response.ok) {
    const message =
      (body as { error?: { message?: string } } | null)?.error?.message ?? response.statusText;
    const wait = response.headers.has("Retry-After") ? retryAfterSeconds(response) : null;
    throw new ApiError(response.status, message || `HTTP ${response.status}`, wait);
  }
  return body as T;
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  return answerOf<T>(await authorizedFetch(url, signal));
}

/** POST `payload` as JSON with the user's bearer token (refreshed and retried as for GET). */
export async function postJson<T>(url: string, payload: unknown, signal?: AbortSignal): Promise<T> {
  return answerOf<T>(await authorizedFetch(url, signal, { method: "POST", body: payload }));
}

/** PUT or DELETE with a JSON body (null for none): the answer's JSON, null when it has none. */
export async function sendJson<T = null>(
  method: "PUT" | "DELETE" | "POST",
  url: string,
  payload: unknown = null,
  signal?: AbortSignal,
): Promise<T> {
  return answerOf<T>(await authorizedFetch(url, signal, { method, body: payload }));
}

/** PUT a body that is not JSON (a cover as base64 text), declared as `type`: the answer's JSON,
 * null when it has none. */
export async function putBody<T = null>(url: string, body: string, type: string): Promise<T> {
  return answerOf<T>(await authorizedFetch(url, undefined, { method: "PUT", body, type }));
}

/** Every item of a paging object, following `next` (bounded, in case of a loop). */
export async function allItems<T>(
  first: Paging<T>,
  signal?: AbortSignal,
  most = 2000,
): Promise<T[]> {
  const items = [...first.items];
  let next = first.next;
  while (next && items.length < most) {
    const page = await getJson<Paging<T>>(next, signal);
    items.push(...page.items);
    next = page.next;
  }
  return items;
}

export const api = {
  async artists(signal?: AbortSignal): Promise<Artist[]> {
    const first = await getJson<Paging<Artist>>("/v1/browse/artists?limit=50&offset=0", signal);
    return allItems(first, signal);
  },
  async artist(id: string, signal?: AbortSignal): Promise<Artist> {
    return getJson<Artist>(`/v1/artists/${encodeURIComponent(id)}`, signal);
  },
  async allAlbums(signal?: AbortSignal): Promise<AlbumSimple[]> {
    const first = await getJson<{ albums: Paging<AlbumSimple> }>(
      "/v1/browse/new-releases?limit=50",
      signal,
    );
    return allItems(first.albums, signal);
  },
  async artistAlbums(id: string, signal?: AbortSignal): Promise<AlbumSimple[]> {
    const first = await getJson<Paging<AlbumSimple>>(
      `/v1/artists/${encodeURIComponent(id)}/albums?limit=50`,
      signal,
    );
    return allItems(first, signal);
  },
  async album(id: string, signal?: AbortSignal): Promise<AlbumFull> {
    const album = await getJson<AlbumFull>(`/v1/albums/${encodeURIComponent(id)}`, signal);
    if (album.tracks.next) {
      album.tracks = { ...album.tracks, items: await allItems(album.tracks, signal) };
    }
    return album;
  },
  /** Tracks by id (50 at a time, as the server takes them); one gone from the catalog is left out. */
  async tracks(ids: string[], signal?: AbortSignal): Promise<TrackFull[]> {
    const found: TrackFull[] = [];
    for (let at = 0; at < ids.length; at += 50) {
      const part = ids.slice(at, at + 50).map(encodeURIComponent).join(",");
      const answer = await getJson<{ tracks: (TrackFull | null)[] }>(`/v1/tracks?ids=${part}`, signal);
      found.push(...answer.tracks.filter((track): track is TrackFull => track !== null));
    }
    return found;
  },
  /** Type-ahead matches for what has been typed so far, best first across types. */
  async suggest(
    q: string,
    { limit = 10, market, signal }: { limit?: number; market?: string; signal?: AbortSignal } = {},
  ): Promise<Suggestions> {
    const params = new URLSearchParams({ q, limit: String(limit) });
    if (market) params.set("market", market);
    return getJson<Suggestions>(`/v1/search/suggest?${params}`, signal);
  },
  /** A track's manifest: the renditions the signed-in user may play (their tier and market
   * decide), signed URLs. `prefetch`: asked ahead for a gapless join. (What was played is
   * reported as playback events, events.ts; a manifest is not a play.) */
  async manifest(trackId: string, signal?: AbortSignal, prefetch = false): Promise<Manifest> {
    const query = prefetch ? "?prefetch=true" : "";
    return getJson<Manifest>(`/v1/tracks/${encodeURIComponent(trackId)}/manifest${query}`, signal);
  },
  async me(signal?: AbortSignal): Promise<Me> {
    return getJson<Me>("/v1/me", signal);
  },
};
