// Your Library: Liked Songs (#/collection/tracks), and the library page (#/collection) with the
// playlists, saved albums and followed artists; the Save button of an album page.
import { ago, artwork, clock, COVER_PX, cover, h } from "./dom";
import { libraryApi, type SavedTrack } from "./library-api";
import { myPlaylists } from "./playlists";
import { onLikedChange } from "./track-menu";
import { trackRow } from "./tracks";
import { artistNames, count, emptyNote, queueOf, type Content, type PageContext } from "./views";

export async function likedSongsView(ctx: PageContext): Promise<Content> {
  const list = h("ol", { class: "tracks", "data-testid": "liked-tracks" });
  const summary = h("p", { class: "meta" });
  const empty = h("div", {});
  const show = (saved: SavedTrack[]): void => {
    const tracks = saved.map((s) => s.track);
    const seconds = tracks.reduce((sum, t) => sum + t.duration_ms, 0) / 1000;
    summary.textContent = `${count(tracks.length, "song")}, ${clock(seconds)}`;
    list.replaceChildren(
      ...saved.map(({ track, added_at }, index) =>
        trackRow(track, {
          number: String(index + 1),
          play: track.is_playable === false ? null : () => ctx.play(queueOf(tracks), index),
          showAlbum: true,
          extra: [h("span", { class: "t-when", title: new Date(added_at).toLocaleString() }, ago(added_at))],
        }),
      ),
    );
    empty.replaceChildren(...emptyNote(saved, "liked songs: save one from any track's ⋯ menu"));
  };
  show(await libraryApi.likedSongs(ctx.signal));
  // Saved or removed through a track menu while this page is open: read the list again.
  const stop = onLikedChange(() => void libraryApi.likedSongs(ctx.signal).then(show, () => undefined));
  ctx.signal.addEventListener("abort", stop);
  const art = h("div", { class: "cover liked-cover", "aria-hidden": "true" }, "♥");
  return {
    title: "Liked Songs",
    nodes: [
      h("section", { class: "hero" }, art, h("div", {}, h("p", { class: "kicker" }, "Playlist"), h("h1", { "data-testid": "liked-title" }, "Liked Songs"), summary)),
      list,
      empty,
    ],
  };
}

function card(href: string, id: string, name: string, sub: string, testid: string, images?: { url: string }[]): HTMLElement {
  return h(
    "a",
    { class: "card", href, "data-testid": testid, "data-id": id },
    images ? artwork(images, id, name, COVER_PX.card) : cover(id, name),
    h("span", { class: "card-title" }, name),
    h("span", { class: "card-sub" }, sub),
  );
}

export async function libraryView(ctx: PageContext): Promise<Content> {
  const [playlists, albums, artists] = await Promise.all([
    myPlaylists.refresh(),
    libraryApi.savedAlbums(ctx.signal),
    libraryApi.followedArtists(ctx.signal),
  ]);
  const liked = card("#/collection/tracks", "liked", "Liked Songs", "Your saved tracks", "library-liked");
  liked.querySelector(".cover")?.replaceWith(h("div", { class: "cover liked-cover", "aria-hidden": "true" }, "♥"));
  const artistCards = artists.map((artist) => {
    const el = card(`#/artist/${artist.id}`, artist.id, artist.name, "Artist", "library-artist");
    el.classList.add("artist-card");
    return el;
  });
  return {
    title: "Your Library",
    nodes: [
      h("h1", {}, "Your Library"),
      h("h2", {}, "Playlists"),
      h("div", { class: "grid", "data-testid": "library-playlists" }, liked, playlists.map((p) => card(`#/playlist/${p.id}`, p.id, p.name, `${p.owner.display_name ?? "Playlist"} · ${count(p.tracks.total, "song")}`, "library-playlist", p.images))),
      h("h2", {}, "Albums"),
      h("div", { class: "grid", "data-testid": "library-albums" }, albums.map(({ album }) => card(`#/album/${album.id}`, album.id, album.name, artistNames(album.artists), "library-album", album.images))),
      ...emptyNote(albums, "saved albums"),
      h("h2", {}, "Artists"),
      h("div", { class: "grid", "data-testid": "library-artists" }, artistCards),
      ...emptyNote(artists, "followed artists"),
    ],
  };
}

/** Save / Saved on an album page. */
export function saveAlbumButton(albumId: string): HTMLButtonElement {
  const button = h("button", { class: "pill", type: "button", "data-testid": "save-album", disabled: true, "aria-pressed": "false" }, "Save");
  let saved = false;
  const show = (): void => {
    button.textContent = saved ? "Saved" : "Save";
    button.title = saved ? "Remove from Your Library" : "Save to Your Library";
    button.setAttribute("aria-pressed", String(saved));
  };
  libraryApi.albumSaved(albumId).then(
    (answer) => {
      saved = answer;
      button.disabled = false;
      show();
    },
    () => (button.title = "Saving albums is not available right now"),
  );
  button.addEventListener("click", () => {
    button.disabled = true;
    libraryApi
      .saveAlbum(albumId, !saved)
      .then(() => {
        saved = !saved;
        show();
      })
      .catch((error: Error) => (button.title = `That failed: ${error.message}`))
      .finally(() => (button.disabled = false));
  });
  return button;
}
