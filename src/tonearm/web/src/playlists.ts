// My playlists, kept for the page: the sidebar lists them (Liked Songs first) and makes new
// ones; the track menu offers the ones I may add to. Whatever changes a playlist calls
// `myPlaylists.refresh()` so that names and counts follow.
import { ApiError } from "./api";
import { artwork, COVER_PX, h } from "./dom";
import { me } from "./me";
import { playlistApi, type PlaylistSimple } from "./playlist-api";

type Listener = (playlists: PlaylistSimple[]) => void;

class MyPlaylists {
  private list: PlaylistSimple[] = [];
  private loading: Promise<PlaylistSimple[]> | null = null;
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): void {
    this.listeners.add(listener);
  }

  /** The list as last read (empty until the first read). */
  get current(): PlaylistSimple[] {
    return this.list;
  }

  /** The list, read once; `refresh()` reads it again. */
  all(): Promise<PlaylistSimple[]> {
    return this.loading ?? this.refresh();
  }

  refresh(): Promise<PlaylistSimple[]> {
    const loading = playlistApi.mine().then((list) => {
      if (this.loading === loading) {
        this.list = list;
        for (const listener of this.listeners) listener(list);
      }
      return list;
    });
    this.loading = loading;
    loading.catch(() => {
      if (this.loading === loading) this.loading = null;
    });
    return loading;
  }

  /** The ones I may add to: my own, and collaborative ones I follow (following one lets me edit it). */
  async editable(): Promise<PlaylistSimple[]> {
    const [list, user] = await Promise.all([this.all(), me()]);
    return list.filter((playlist) => playlist.owner.id === user.id || playlist.collaborative);
  }

  forget(): void {
    this.list = [];
    this.loading = null;
    for (const listener of this.listeners) listener([]);
  }
}

export const myPlaylists = new MyPlaylists();

// ---- the sidebar ---------------------------------------------------------------------------

function playlistLink(playlist: PlaylistSimple): HTMLElement {
  return h(
    "a",
    {
      class: "side-item",
      href: `#/playlist/${playlist.id}`,
      "data-testid": "sidebar-playlist",
      "data-id": playlist.id,
    },
    artwork(playlist.images, playlist.id, playlist.name, COVER_PX.row),
    h(
      "span",
      { class: "side-text" },
      h("span", { class: "side-name" }, playlist.name),
      h(
        "span",
        { class: "side-sub" },
        playlist.collaborative ? "Collaborative · " : "",
        playlist.owner.display_name ?? "Playlist",
      ),
    ),
  );
}

function likedSongsLink(): HTMLElement {
  const art = h("div", { class: "cover liked-cover", "aria-hidden": "true" }, "♥");
  return h(
    "a",
    { class: "side-item", href: "#/collection/tracks", "data-testid": "sidebar-liked" },
    art,
    h("span", { class: "side-text" }, h("span", { class: "side-name" }, "Liked Songs"), h("span", { class: "side-sub" }, "Playlist")),
  );
}

/** "New playlist": a name field in place of the button; Enter creates it and opens it. */
function newPlaylistForm(status: HTMLElement): HTMLElement {
  const input = h("input", {
    type: "text",
    maxlength: 200,
    placeholder: "Playlist name",
    "aria-label": "New playlist name",
    "data-testid": "new-playlist-name",
  });
  const form = h(
    "form",
    { class: "new-playlist", hidden: true },
    input,
    h("button", { class: "pill small primary", type: "submit", "data-testid": "new-playlist-create" }, "Create"),
  );
  const button = h(
    "button",
    { class: "pill small", type: "button", "data-testid": "new-playlist" },
    "+ New playlist",
  );
  const close = (): void => {
    form.hidden = true;
    button.hidden = false;
    input.value = "";
  };
  button.addEventListener("click", () => {
    button.hidden = true;
    form.hidden = false;
    input.focus();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!name) return input.focus();
    // New playlists start private: the owner decides when to publish one.
    playlistApi
      .create({ name, public: false })
      .then((playlist) => {
        close();
        status.textContent = "";
        void myPlaylists.refresh();
        location.hash = `#/playlist/${playlist.id}`;
      })
      .catch((error: Error) => {
        status.textContent = `Could not create it: ${error.message}`;
      });
  });
  return h("div", {}, button, form);
}

/** The sidebar's content, kept up to date with `myPlaylists`. */
export function mountSidebar(sidebar: HTMLElement): void {
  const status = h("p", { class: "side-status", role: "status", "data-testid": "sidebar-status" });
  const list = h("div", { class: "side-list", "data-testid": "sidebar-playlists" });
  sidebar.replaceChildren(
    h("div", { class: "side-head" }, h("a", { class: "side-title", href: "#/collection" }, "Your Library"), newPlaylistForm(status)),
    status,
    list,
  );
  const show = (playlists: PlaylistSimple[]): void => {
    list.replaceChildren(likedSongsLink(), ...playlists.map(playlistLink));
    markActive(sidebar);
  };
  myPlaylists.subscribe(show);
  show(myPlaylists.current);
  window.addEventListener("hashchange", () => markActive(sidebar));
}

/** Load (or reload) the sidebar's list, saying so if it cannot. */
export function loadSidebar(sidebar: HTMLElement): void {
  const status = sidebar.querySelector<HTMLElement>('[data-testid="sidebar-status"]');
  myPlaylists.refresh().then(
    () => status && (status.textContent = ""),
    (error: Error) => {
      if (status) {
        status.textContent =
          error instanceof ApiError && error.status === 403
            ? "Sign in again to see your playlists (this sign-in did not allow them)."
            : `Your playlists could not be loaded: ${error.message}`;
      }
    },
  );
}

function markActive(sidebar: HTMLElement): void {
  for (const link of sidebar.querySelectorAll<HTMLAnchorElement>(".side-item")) {
    const active = link.getAttribute("href") === location.hash;
    link.classList.toggle("active", active);
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}
