// The recommendation calls of /v1 (Tonearm's own, beyond Spotify's): Home, the made-for-you
// lists, radio stations and the onboarding picks. Every recommended item comes with its reasons,
// strongest first, in the server's words; the player shows them as they are.
import { ApiError, getJson, postJson, sendJson, type Artist, type Image, type TrackFull } from "./api";

/** One signal that put an item there: its kind, in words, and what it points at. */
export interface Reason {
  kind: string;
  text: string;
  uri: string | null;
  detail: string[];
}

export type PartOfDay = "morning" | "afternoon" | "evening" | "night";

export interface HomeItem {
  type: "track" | "album" | "artist" | "playlist";
  id: string;
  uri: string;
  href: string;
  name: string;
  subtitle: string;
  images: Image[];
  reasons: Reason[];
}

export interface Shelf {
  id: string;
  title: string;
  items: HomeItem[];
}

export interface HomeView {
  greeting: string;
  part_of_day: PartOfDay;
  generated_at: string;
  shelves: Shelf[];
}

export interface RecommendedTrack extends TrackFull {
  reasons: Reason[];
}

export interface MadeForYouList {
  key: string;
  product: "discover-weekly" | "release-radar" | "daily-mix";
  title: string;
  description: string;
  built_at: string;
  playlist: { id: string; uri: string; href: string; snapshot_id: string | null } | null;
  tracks: RecommendedTrack[];
}

export interface Station {
  id: string;
  href: string;
  seed_uri: string;
  title: string;
  offset: number;
  tracks: RecommendedTrack[];
  next: string;
}

export interface Taste {
  artists: Artist[];
  suggestions: Artist[];
}

/** The browser's local time as the server wants it: wall-clock ISO without a zone, and the
 * zone's offset from UTC in minutes (east positive). */
export function localMoment(now = new Date()): { timestamp: string; utc_offset_minutes: string } {
  const two = (n: number): string => String(n).padStart(2, "0");
  const date = `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
  const time = `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  return { timestamp: `${date}T${time}`, utc_offset_minutes: String(-now.getTimezoneOffset()) };
}

export const recsApi = {
  home(signal?: AbortSignal): Promise<HomeView> {
    return getJson<HomeView>(`/v1/views/home?${new URLSearchParams(localMoment())}`, signal);
  },
  async madeForYou(signal?: AbortSignal): Promise<MadeForYouList[]> {
    return (await getJson<{ items: MadeForYouList[] }>("/v1/me/made-for-you", signal)).items;
  },
  /** The made-for-you list a playlist holds, or null when it is not one of the listener's. */
  async byPlaylist(playlistId: string, signal?: AbortSignal): Promise<MadeForYouList | null> {
    try {
      return await getJson<MadeForYouList>(`/v1/me/made-for-you/by-playlist/${encodeURIComponent(playlistId)}`, signal);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  },
  /** A new station from a track, artist, album or playlist URI, with its first page. */
  startRadio(seedUri: string): Promise<Station> {
    return postJson<Station>("/v1/me/radio", { seed_uri: seedUri });
  },
  /** The page of a station a `next` link names (the server extends the station as needed). */
  radioPage(href: string, signal?: AbortSignal): Promise<Station> {
    return getJson<Station>(href, signal);
  },
  taste(signal?: AbortSignal): Promise<Taste> {
    return getJson<Taste>("/v1/me/taste/artists", signal);
  },
  async saveTaste(artistIds: string[]): Promise<void> {
    await sendJson("PUT", "/v1/me/taste/artists", { ids: artistIds });
  },
};
