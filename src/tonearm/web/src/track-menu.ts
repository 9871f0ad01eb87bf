// What the "⋯" button and a right-click on any track offer: add it to one of my playlists, save
// it to or remove it from Liked Songs, start its radio, share it, go to its album. Pages add
// their own items (a playlist page: remove from this playlist).
import { ApiError } from "./api";
import { libraryApi } from "./library-api";
import { openMenu, type MenuItem, type MenuPlace } from "./menu";
import { playlistApi } from "./playlist-api";
import { myPlaylists } from "./playlists";
import { startRadio } from "./radio";
import { openShare } from "./share";

export interface MenuTrack {
  id: string;
  name: string;
  albumId?: string;
}

type Say = (message: string) => void;
let say: Say = () => undefined;
const likedListeners = new Set<(trackId: string, liked: boolean) => void>();

/** Where the menu's outcomes are told ("Added to Road trip"): the notice over the player bar. */
export function onTrackMenuMessage(listener: Say): void {
  say = listener;
}

/** Called after a track is saved to or removed from Liked Songs through the menu, until the
 * returned function is called. */
export function onLikedChange(listener: (trackId: string, liked: boolean) => void): () => void {
  likedListeners.add(listener);
  return () => likedListeners.delete(listener);
}

function failed(what: string, error: unknown): void {
  say(`${what} failed: ${error instanceof ApiError ? error.message : (error as Error).message}`);
}

async function addTo(playlistId: string, name: string, track: MenuTrack): Promise<void> {
  try {
    // Added at the end, so no version needs naming: the end is the end of whatever is there now.
    await playlistApi.add(playlistId, [`tonearm:track:${track.id}`]);
    say(`Added to ${name}.`);
    void myPlaylists.refresh();
  } catch (error) {
    failed(`Adding to ${name}`, error);
  }
}

async function playlistItems(track: MenuTrack): Promise<MenuItem[]> {
  const editable = await myPlaylists.editable();
  return editable.map((playlist) => ({
    label: playlist.name,
    testid: "menu-playlist",
    action: () => void addTo(playlist.id, playlist.name, track),
  }));
}

async function setLiked(track: MenuTrack, liked: boolean): Promise<void> {
  try {
    await (liked ? libraryApi.like([track.id]) : libraryApi.unlike([track.id]));
    say(liked ? "Saved to Liked Songs." : "Removed from Liked Songs.");
    for (const listener of likedListeners) listener(track.id, liked);
  } catch (error) {
    failed(liked ? "Saving" : "Removing", error);
  }
}

async function likedItem(track: MenuTrack): Promise<MenuItem> {
  // Which of the two to offer is asked as the menu opens; if that fails, saving is offered.
  const liked = await libraryApi.likedContains([track.id]).then(
    ([answer]) => answer ?? false,
    () => false,
  );
  return liked
    ? { label: "Remove from Liked Songs", testid: "menu-unlike", action: () => void setLiked(track, false) }
    : { label: "Save to Liked Songs", testid: "menu-like", action: () => void setLiked(track, true) };
}

/** Open the track's menu at `place`, with the page's own items first. */
export async function openTrackMenu(track: MenuTrack, place: MenuPlace, own: MenuItem[] = []): Promise<void> {
  const liked = await likedItem(track);
  const items: MenuItem[] = [
    ...own,
    { label: "Add to playlist", testid: "menu-add-to-playlist", submenu: () => playlistItems(track) },
    liked,
    { label: "Go to radio", testid: "menu-radio", action: () => void startRadio(`tonearm:track:${track.id}`) },
    { label: "Share", testid: "menu-share", action: () => openShare({ kind: "track", id: track.id, name: track.name }) },
  ];
  if (track.albumId && !location.hash.startsWith(`#/album/${track.albumId}`)) {
    const albumId = track.albumId;
    items.push({ label: "Go to album", testid: "menu-album", action: () => (location.hash = `#/album/${albumId}`) });
  }
  openMenu(items, place);
}
