// What every page of the player is made of, and what a page may ask of the player around it.
import type { TrackFull } from "./api";
import { h } from "./dom";
import type { QueueItem } from "./queue";

/** A page: its nodes, and the title for the tab. */
export interface Content {
  nodes: Node[];
  title?: string;
}

/** What a page gets from the player: `signal` is aborted when the user leaves the page (its
 * timers and requests stop then). */
export interface PageContext {
  signal: AbortSignal;
  play(items: QueueItem[], index: number): void;
  /** A short message over the player bar. */
  say(message: string): void;
}

/** A note for a list with nothing in it, to follow the list. */
export function emptyNote(items: unknown[], what: string): HTMLElement[] {
  return items.length ? [] : [h("p", { class: "empty", "data-testid": "empty" }, `No ${what} yet.`)];
}

export function artistNames(artists: { name: string }[]): string {
  return artists.map((a) => a.name).join(", ");
}

/** Queue entries for tracks that come with their albums (playlists, Liked Songs), played from
 * `contextUri` (a playlist), or from their albums when none is given. */
export function queueOf(tracks: TrackFull[], contextUri?: string): QueueItem[] {
  return tracks.map((track) => ({
    id: track.id,
    name: track.name,
    artists: artistNames(track.artists),
    albumId: track.album.id,
    albumName: track.album.name,
    albumImages: track.album.images,
    durationMs: track.duration_ms,
    contextUri,
  }));
}

/** A count with its noun: "1 song", "3 songs". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
