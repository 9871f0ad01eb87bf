// The listener's own corner of /v1: Liked Songs and saved albums, the artists and people they
// follow, their friends' activity and private session, public profiles, and share links.
import {
  allItems,
  getJson,
  postJson,
  sendJson,
  type AlbumFull,
  type Artist,
  type Image,
  type Paging,
  type TrackFull,
} from "./api";

export interface SavedTrack {
  added_at: string;
  track: TrackFull;
}

export interface SavedAlbum {
  added_at: string;
  album: AlbumFull;
}

/** Spotify's cursor page, as /me/following answers. */
interface CursorPage<T> {
  items: T[];
  next: string | null;
  total: number;
}

export interface PublicUser {
  id: string;
  display_name: string | null;
  uri: string;
  images?: Image[];
  followers?: { total: number };
}

export interface FriendActivity {
  user: { id: string; display_name: string | null; uri: string };
  track: TrackFull | null;
  context_uri: string | null;
  timestamp: string;
  playing_now: boolean;
}

export type ShareableKind = "playlist" | "album" | "track";

export interface Share {
  id: string;
  uri: string;
  /** The public page's absolute URL. */
  url: string;
  expires_at: string | null;
  created_at: string;
}

type Followable = "artist" | "user";

const ids = (values: string[]): string => values.map(encodeURIComponent).join(",");
const MOST_FOLLOWED = 1000;

async function allFollowed<T>(type: Followable, key: "artists" | "users", signal?: AbortSignal): Promise<T[]> {
  type Answer = Record<typeof key, CursorPage<T>>;
  let page = (await getJson<Answer>(`/v1/me/following?type=${type}&limit=50`, signal))[key];
  const items = [...page.items];
  while (page.next && items.length < MOST_FOLLOWED) {
    page = (await getJson<Answer>(page.next, signal))[key];
    items.push(...page.items);
  }
  return items;
}

export const libraryApi = {
  async likedSongs(signal?: AbortSignal): Promise<SavedTrack[]> {
    const first = await getJson<Paging<SavedTrack>>("/v1/me/tracks?limit=50", signal);
    return allItems(first, signal);
  },
  likedContains(trackIds: string[], signal?: AbortSignal): Promise<boolean[]> {
    return getJson<boolean[]>(`/v1/me/tracks/contains?ids=${ids(trackIds)}`, signal);
  },
  async like(trackIds: string[]): Promise<void> {
    await sendJson("PUT", `/v1/me/tracks?ids=${ids(trackIds)}`);
  },
  async unlike(trackIds: string[]): Promise<void> {
    await sendJson("DELETE", `/v1/me/tracks?ids=${ids(trackIds)}`);
  },
  async savedAlbums(signal?: AbortSignal): Promise<SavedAlbum[]> {
    const first = await getJson<Paging<SavedAlbum>>("/v1/me/albums?limit=50", signal);
    return allItems(first, signal);
  },
  async albumSaved(albumId: string, signal?: AbortSignal): Promise<boolean> {
    return (await getJson<boolean[]>(`/v1/me/albums/contains?ids=${ids([albumId])}`, signal))[0] ?? false;
  },
  async saveAlbum(albumId: string, keep: boolean): Promise<void> {
    await sendJson(keep ? "PUT" : "DELETE", `/v1/me/albums?ids=${ids([albumId])}`);
  },
  followedArtists(signal?: AbortSignal): Promise<Artist[]> {
    return allFollowed<Artist>("artist", "artists", signal);
  },
  async follows(type: Followable, id: string, signal?: AbortSignal): Promise<boolean> {
    const answer = await getJson<boolean[]>(`/v1/me/following/contains?type=${type}&ids=${ids([id])}`, signal);
    return answer[0] ?? false;
  },
  async follow(type: Followable, id: string, keep: boolean): Promise<void> {
    await sendJson(keep ? "PUT" : "DELETE", `/v1/me/following?type=${type}&ids=${ids([id])}`);
  },
  user(id: string, signal?: AbortSignal): Promise<PublicUser> {
    return getJson<PublicUser>(`/v1/users/${encodeURIComponent(id)}`, signal);
  },
  async friendsActivity(signal?: AbortSignal): Promise<FriendActivity[]> {
    return (await getJson<{ friends: FriendActivity[] }>("/v1/me/friends/activity", signal)).friends;
  },
  async privateSession(signal?: AbortSignal): Promise<boolean> {
    return (await getJson<{ enabled: boolean }>("/v1/me/player/private-session", signal)).enabled;
  },
  async setPrivateSession(enabled: boolean): Promise<boolean> {
    return (await sendJson<{ enabled: boolean }>("PUT", "/v1/me/player/private-session", { enabled })).enabled;
  },
  /** A public link to a playlist, album or track; `expiresInS` null for one that does not expire. */
  share(kind: ShareableKind, id: string, expiresInS: number | null): Promise<Share> {
    return postJson<Share>("/v1/shares", { uri: `tonearm:${kind}:${id}`, expires_in_s: expiresInS });
  },
};
