// A track as a row of a list (album, playlist, Liked Songs): a click or Enter plays it, the "⋯"
// button, a right-click or the context-menu key opens its menu.
import type { ArtistRef } from "./api";
import { clock, h } from "./dom";
import type { MenuItem } from "./menu";
import { openTrackMenu } from "./track-menu";

export interface RowTrack {
  id: string;
  name: string;
  artists: ArtistRef[];
  explicit: boolean;
  duration_ms: number;
  album?: { id: string; name: string };
}

export interface RowOptions {
  /** The number column: a track number, or a position. */
  number: string;
  /** Null for a track that cannot be played here (gone, or not in this market). */
  play: (() => void) | null;
  /** The page's own items, first in the menu. */
  menuItems?: () => MenuItem[];
  /** Show the album as a column (lists that mix albums). */
  showAlbum?: boolean;
  /** Columns between the title and the duration ("added by"). */
  extra?: (Node | null)[];
  /** Controls after the "⋯" button (a playlist's remove and move buttons). */
  controls?: (Node | null)[];
  /** A line under the artists (why a made-for-you list holds the track). */
  note?: Node | null;
}

function artistLinks(artists: ArtistRef[]): (Node | string)[] {
  return artists.flatMap((artist, i) => [
    i ? ", " : "",
    h("a", { href: `#/artist/${artist.id}`, onclick: (event: Event) => event.stopPropagation() }, artist.name),
  ]);
}

export function trackRow(track: RowTrack, options: RowOptions): HTMLLIElement {
  const menu = (place: HTMLElement | { x: number; y: number }): void =>
    void openTrackMenu({ id: track.id, name: track.name, albumId: track.album?.id }, place, options.menuItems?.());
  const more = h(
    "button",
    {
      class: "icon small more",
      type: "button",
      "aria-label": `More options for ${track.name}`,
      "aria-haspopup": "menu",
      title: "More options",
      "data-testid": "track-menu",
    },
    "⋯",
  );
  more.addEventListener("click", (event) => {
    event.stopPropagation();
    menu(more);
  });
  const play = options.play;
  const row = h(
    "li",
    {
      class: play ? "track" : "track unplayable",
      tabindex: 0,
      "aria-label": play ? `Play ${track.name}` : `${track.name} (not available)`,
      "data-testid": "track-row",
      "data-track-id": track.id,
      onclick: () => play?.(),
      oncontextmenu: (event: Event) => {
        event.preventDefault();
        const { clientX: x, clientY: y } = event as MouseEvent;
        menu({ x, y });
      },
      onkeydown: (event: Event) => {
        const key = event as KeyboardEvent;
        if (key.target !== row) return;
        if (key.key === "Enter" && play) {
          event.preventDefault();
          play();
        } else if (key.key === "ContextMenu" || (key.key === "F10" && key.shiftKey)) {
          event.preventDefault();
          menu(more);
        }
      },
    },
    h("span", { class: "num" }, options.number),
    h(
      "span",
      { class: "t-main" },
      h("span", { class: "t-title", "data-testid": "track-title" }, track.name, track.explicit ? h("span", { class: "explicit", title: "Explicit" }, "E") : null),
      h("span", { class: "t-artists" }, artistLinks(track.artists)),
      options.note ?? null,
    ),
    options.showAlbum && track.album
      ? h("a", { class: "t-album", href: `#/album/${track.album.id}`, onclick: (event: Event) => event.stopPropagation() }, track.album.name)
      : null,
    options.extra ?? [],
    h("span", { class: "t-dur" }, clock(track.duration_ms / 1000)),
    h("span", { class: "t-actions" }, more, options.controls ?? []),
  );
  if (play) row.setAttribute("role", "button");
  return row;
}
