// The catalog and delivery API, same origin, Spotify Web API shapes.

export interface ArtistRef {
  id: string;
  name: string;
}

export interface Artist extends ArtistRef {
  genres?: string[];
  popularity?: number;
  followers?: { total: number };
}

export interface AlbumSimple {
  id: string;
  name: string;
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

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(localPath(url), { headers: { Accept: "application/json" }, signal });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, "the server cannot be reached");
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // an empty or non-JSON body: reported below by status
  }
  if (!response.ok) {
    const message =
      (body as { error?: { message?: string } } | null)?.error?.message ?? response.statusText;
    throw new ApiError(response.status, message || `HTTP ${response.status}`);
  }
  return body as T;
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
  /** Type-ahead matches for what has been typed so far, best first across types. */
  async suggest(
    q: string,
    { limit = 10, market, signal }: { limit?: number; market?: string; signal?: AbortSignal } = {},
  ): Promise<Suggestions> {
    const params = new URLSearchParams({ q, limit: String(limit) });
    if (market) params.set("market", market);
    return getJson<Suggestions>(`/v1/search/suggest?${params}`, signal);
  },
  async manifest(trackId: string, product: Product, signal?: AbortSignal): Promise<Manifest> {
    return getJson<Manifest>(
      `/v1/tracks/${encodeURIComponent(trackId)}/manifest?product=${product}`,
      signal,
    );
  },
};
