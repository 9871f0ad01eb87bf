// The playlist calls of /v1, Spotify-shaped, and the history ones Spotify does not have
// (snapshots, diff, revert). Every change answers with the new snapshot_id; a change that names
// positions sends the snapshot_id they were read in, so the server can carry them over to the
// current version when a collaborator has changed the playlist meanwhile.
import { allItems, getJson, postJson, putBody, sendJson, type Image, type Paging, type TrackFull } from "./api";

export interface UserRef {
  id: string;
  display_name?: string | null;
  uri: string;
}

export interface PlaylistSimple {
  id: string;
  uri: string;
  name: string;
  description: string;
  public: boolean;
  collaborative: boolean;
  images: Image[];
  owner: UserRef;
  snapshot_id: string;
  tracks: { href: string; total: number };
}

export interface PlaylistItem {
  added_at: string;
  added_by: UserRef | null;
  /** Null when the track is gone from the catalog. */
  track: TrackFull | null;
}

export interface Playlist extends Omit<PlaylistSimple, "tracks"> {
  followers: { total: number };
  tracks: Paging<PlaylistItem>;
}

export interface NewPlaylist {
  name: string;
  description?: string;
  public?: boolean;
  collaborative?: boolean;
}

export type Details = Partial<NewPlaylist>;

export interface Snapshot {
  snapshot_id: string;
  version: number;
  kind: "create" | "details" | "add" | "remove" | "reorder" | "replace" | "revert";
  at: string;
  user: UserRef | null;
  added: number;
  removed: number;
  moved: number;
  /** A changed detail's name -> [before, after]. */
  details: Record<string, unknown[]>;
}

export interface DiffEntry {
  uri: string;
  track_id: string;
  from_position: number | null;
  to_position: number | null;
  added_by: string | null;
}

export interface Diff {
  from_snapshot_id: string;
  to_snapshot_id: string;
  added: DiffEntry[];
  removed: DiffEntry[];
  moved: DiffEntry[];
}

/** A playlist's items as they were at one snapshot, read consistently. */
export interface PlaylistState {
  playlist: Playlist;
  items: PlaylistItem[];
}

interface SnapshotId {
  snapshot_id: string;
}

const path = (id: string): string => `/v1/playlists/${encodeURIComponent(id)}`;
// A playlist whose snapshot moves on while its pages are read is read again, a few times at most.
const CONSISTENT_READS = 3;

export const playlistApi = {
  async mine(signal?: AbortSignal): Promise<PlaylistSimple[]> {
    const first = await getJson<Paging<PlaylistSimple>>("/v1/me/playlists?limit=50", signal);
    return allItems(first, signal);
  },
  async ofUser(userId: string, signal?: AbortSignal): Promise<PlaylistSimple[]> {
    const first = await getJson<Paging<PlaylistSimple>>(
      `/v1/users/${encodeURIComponent(userId)}/playlists?limit=50`,
      signal,
    );
    return allItems(first, signal);
  },
  create(playlist: NewPlaylist): Promise<Playlist> {
    return postJson<Playlist>("/v1/me/playlists", playlist);
  },
  get(id: string, signal?: AbortSignal): Promise<Playlist> {
    return getJson<Playlist>(path(id), signal);
  },
  /** The version the server has now: a cheap look for whether anything changed. */
  async snapshotId(id: string, signal?: AbortSignal): Promise<string> {
    return (await getJson<SnapshotId>(`${path(id)}?fields=snapshot_id`, signal)).snapshot_id;
  },
  /**
   * Every item with the snapshot it belongs to. The first 100 come with the playlist in one read;
   * later pages are separate reads, so if the snapshot moved on meanwhile the whole is read again.
   */
  async state(id: string, signal?: AbortSignal): Promise<PlaylistState> {
    for (let tries = 1; ; tries++) {
      const playlist = await this.get(id, signal);
      if (!playlist.tracks.next) return { playlist, items: playlist.tracks.items };
      const items = await allItems(playlist.tracks, signal, 10_000);
      if (tries >= CONSISTENT_READS || (await this.snapshotId(id, signal)) === playlist.snapshot_id) {
        return { playlist, items };
      }
    }
  },
  async changeDetails(id: string, details: Details): Promise<void> {
    await sendJson("PUT", path(id), details);
  },
  /**
   * Add tracks at the end, or at `position` of `snapshotId`. With a snapshot and no position,
   * the end is the end of that version: after the last item it showed that is still there.
   */
  async add(id: string, uris: string[], at: { snapshotId: string; position?: number } | null = null): Promise<string> {
    const body = at ? { uris, position: at.position, snapshot_id: at.snapshotId } : { uris };
    return (await postJson<SnapshotId>(`${path(id)}/tracks`, body)).snapshot_id;
  },
  /** Remove the item at `position` of `snapshotId` (not every copy of the track). */
  async removeAt(id: string, uri: string, position: number, snapshotId: string): Promise<string> {
    const body = { tracks: [{ uri, positions: [position] }], snapshot_id: snapshotId };
    return (await sendJson<SnapshotId>("DELETE", `${path(id)}/tracks`, body)).snapshot_id;
  },
  /** Move the item at `from` to before the item at `insertBefore`, both positions of `snapshotId`. */
  async move(id: string, from: number, insertBefore: number, snapshotId: string): Promise<string> {
    const body = { range_start: from, insert_before: insertBefore, range_length: 1, snapshot_id: snapshotId };
    return (await sendJson<SnapshotId>("PUT", `${path(id)}/tracks`, body)).snapshot_id;
  },
  /** A new cover, the JPEG as base64 (the owner's alone; the server keeps at most 256 KB of
   * JPEG). The playlist's `images` name it once the server has it. */
  async uploadCover(id: string, base64: string): Promise<void> {
    await putBody(`${path(id)}/images`, base64, "image/jpeg");
  },
  async invite(id: string, userId: string): Promise<void> {
    await postJson<null>(`${path(id)}/collaborators`, { user_id: userId });
  },
  /** Whether the signed-in user follows it (an invited collaborator does). */
  async followsMe(id: string, signal?: AbortSignal): Promise<boolean> {
    return (await getJson<boolean[]>(`${path(id)}/followers/contains`, signal))[0] ?? false;
  },
  async follow(id: string): Promise<void> {
    await sendJson("PUT", `${path(id)}/followers`, { public: false });
  },
  async unfollow(id: string): Promise<void> {
    await sendJson("DELETE", `${path(id)}/followers`);
  },
  /** Every version, newest first. */
  async snapshots(id: string, signal?: AbortSignal): Promise<Snapshot[]> {
    const first = await getJson<Paging<Snapshot>>(`${path(id)}/snapshots?limit=50`, signal);
    return allItems(first, signal, 500);
  },
  diff(id: string, from: string, to: string, signal?: AbortSignal): Promise<Diff> {
    const query = new URLSearchParams({ from, to });
    return getJson<Diff>(`${path(id)}/diff?${query}`, signal);
  },
  async revert(id: string, snapshotId: string): Promise<string> {
    return (await postJson<SnapshotId>(`${path(id)}/revert`, { snapshot_id: snapshotId })).snapshot_id;
  },
};
