// The page: signing in and out, hash routes for browsing (Home, the catalog, playlists, the
// library, profiles, an artist account's portal), type-ahead search, the playlists sidebar,
// friends' activity, the player bar and the queue.
import { api, ApiError, onNotice, type AlbumFull, type AlbumSimple, type Artist, type Suggestion } from "./api";
import { artistPortalView } from "./artist-portal";
import { finishSignIn, grantsEveryScope, onAuthChange, returningFromSignIn, signedIn, signIn, signOut } from "./auth";
import { $, artwork, clock, COVER_PX, cover, h } from "./dom";
import { FriendsPanel } from "./friends";
import { homeView } from "./home";
import { libraryView, likedSongsView, saveAlbumButton } from "./library";
import { forgetMe, me as currentUser } from "./me";
import { closeMenu } from "./menu";
import { Outbox, type OutboxStats } from "./outbox";
import { followButton, userView } from "./people";
import { Player, type PlayerState, type QueueItem } from "./player";
import { playlistTestState, playlistView, type PlaylistTestState } from "./playlist-view";
import { loadSidebar, mountSidebar, myPlaylists } from "./playlists";
import { mountRadio, radioButton } from "./radio";
import { reasonNote } from "./reasons";
import { isArtistAccount } from "./royalties-api";
import { Reporter } from "./reporter";
import { TypeAhead } from "./search";
import { openShare } from "./share";
import { onTrackMenuMessage, openTrackMenu } from "./track-menu";
import { trackRow } from "./tracks";
import { artistNames, emptyNote, type Content, type PageContext } from "./views";

// ---- settings ---------------------------------------------------------------------------

function initialVolume(): number {
  const stored = Number(localStorage.getItem("tonearm.volume"));
  return localStorage.getItem("tonearm.volume") !== null && Number.isFinite(stored)
    ? Math.min(Math.max(stored, 0), 1)
    : 0.8;
}

const player = new Player(initialVolume());
// What is played goes to the server as playback events, batched (outbox.ts).
const outbox = new Outbox();
outbox.identify(async () => (signedIn() ? (await api.me()).id : null));
const reporter = new Reporter(player, outbox);
player.observer = reporter;

// ---- data, cached for the session ---------------------------------------------------------

let artistsCache: Promise<Artist[]> | null = null;
let albumsCache: Promise<AlbumSimple[]> | null = null;
const albumCache = new Map<string, Promise<AlbumFull>>();
const artistAlbumsCache = new Map<string, Promise<AlbumSimple[]>>();

function cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = map.get(key);
  if (!value) {
    value = load();
    map.set(key, value);
    value.catch(() => map.delete(key));
  }
  return value;
}

const data = {
  artists(): Promise<Artist[]> {
    if (!artistsCache) {
      artistsCache = api.artists();
      artistsCache.catch(() => (artistsCache = null));
    }
    return artistsCache;
  },
  albums(): Promise<AlbumSimple[]> {
    if (!albumsCache) {
      albumsCache = api.allAlbums();
      albumsCache.catch(() => (albumsCache = null));
    }
    return albumsCache;
  },
  album: (id: string) => cached(albumCache, id, () => api.album(id)),
  artistAlbums: (id: string) => cached(artistAlbumsCache, id, () => api.artistAlbums(id)),
  /** What the catalog showed one user (their market, their explicit filter) is not for the next. */
  forget(): void {
    artistsCache = albumsCache = null;
    albumCache.clear();
    artistAlbumsCache.clear();
  },
};

// ---- routing -------------------------------------------------------------------------------

type Route =
  | { view: "home" }
  | { view: "artists" }
  | { view: "albums" }
  | { view: "artist"; id: string }
  | { view: "album"; id: string }
  | { view: "playlist"; id: string }
  | { view: "user"; id: string }
  | { view: "collection" }
  | { view: "liked" }
  | { view: "artist-portal" };

function parseRoute(): Route {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  const id = parts[1] ? decodeURIComponent(parts[1]) : "";
  if (parts[0] === "artists") return { view: "artists" };
  if (parts[0] === "albums") return { view: "albums" };
  if (parts[0] === "artist" && id) return { view: "artist", id };
  if (parts[0] === "artist") return { view: "artist-portal" };
  if (parts[0] === "album" && id) return { view: "album", id };
  if (parts[0] === "playlist" && id) return { view: "playlist", id };
  if (parts[0] === "user" && id) return { view: "user", id };
  if (parts[0] === "collection") return parts[1] === "tracks" ? { view: "liked" } : { view: "collection" };
  return { view: "home" };
}

const view = $("#view");
const searchInput = $('[data-testid="search"]') as HTMLInputElement;
let route: Route = parseRoute();
let renderToken = 0;

function years(date: string): string {
  return date ? date.slice(0, 4) : "";
}

function artistLinks(artists: { id: string; name: string }[]): (Node | string)[] {
  const out: (Node | string)[] = [];
  artists.forEach((artist, i) => {
    if (i) out.push(", ");
    out.push(h("a", { href: `#/artist/${artist.id}` }, artist.name));
  });
  return out;
}

// What a page started (its timers, its requests) ends when another page is shown.
let leavePage = new AbortController();

function pageContext(): PageContext {
  leavePage.abort();
  leavePage = new AbortController();
  return {
    signal: leavePage.signal,
    play: (items, index) => player.playQueue(items, index),
    say: (message) => notice(message),
  };
}

async function render(): Promise<void> {
  const token = ++renderToken;
  route = parseRoute();
  const ctx = pageContext();
  for (const link of document.querySelectorAll<HTMLAnchorElement>("[data-nav]")) {
    const active =
      link.dataset.nav === route.view ||
      (link.dataset.nav === "artists" && route.view === "artist") ||
      (link.dataset.nav === "albums" && route.view === "album") ||
      (link.dataset.nav === "collection" && route.view === "liked");
    link.classList.toggle("active", active);
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  view.replaceChildren(h("p", { class: "loading" }, "Loading…"));
  try {
    const content = signedIn() ? await build(route, ctx) : welcomeView();
    if (token !== renderToken) return;
    view.replaceChildren(...content.nodes);
    document.title = content.title ? `${content.title} · Tonearm` : "Tonearm";
    markPlaying();
  } catch (error) {
    if (token !== renderToken || ctx.signal.aborted) return;
    const message =
      error instanceof ApiError && error.status === 404
        ? "Not found."
        : `Could not load this page: ${(error as Error).message}`;
    view.replaceChildren(
      h(
        "div",
        { class: "error-box", role: "alert" },
        h("p", {}, message),
        h("button", { class: "pill", onclick: () => void render() }, "Try again"),
      ),
    );
  }
}

function welcomeView(): Content {
  return {
    nodes: [
      h(
        "section",
        { class: "welcome", "data-testid": "welcome" },
        h("p", { class: "kicker" }, "Tonearm"),
        h("h1", {}, "Sign in to start listening"),
        h("p", { class: "meta" }, "Browse the whole catalog, search it as you type and play it gaplessly. New here? An account takes a minute."),
        h(
          "div",
          { class: "welcome-actions" },
          h("button", { class: "pill primary", type: "button", "data-testid": "welcome-sign-up", onclick: () => startSignIn("signup") }, "Sign up"),
          h("button", { class: "pill", type: "button", "data-testid": "welcome-sign-in", onclick: () => startSignIn("login") }, "Sign in"),
        ),
      ),
    ],
  };
}

async function build(r: Route, ctx: PageContext): Promise<Content> {
  switch (r.view) {
    case "home":
      return homeView(ctx);
    case "artists":
      return artistsView();
    case "albums":
      return albumsView();
    case "artist":
      return artistView(r.id);
    case "album":
      return albumView(r.id);
    case "playlist":
      return playlistView(r.id, ctx);
    case "user":
      return userView(r.id, ctx);
    case "collection":
      return libraryView(ctx);
    case "liked":
      return likedSongsView(ctx);
    case "artist-portal":
      return artistPortalView(ctx);
  }
}

function artistCard(artist: Artist): HTMLElement {
  return h(
    "a",
    { class: "card artist-card", href: `#/artist/${artist.id}`, "data-testid": "artist-card", "data-id": artist.id },
    cover(artist.id, artist.name),
    h("span", { class: "card-title" }, artist.name),
    h("span", { class: "card-sub" }, (artist.genres ?? []).slice(0, 2).join(", ") || "Artist"),
  );
}

function albumCard(album: AlbumSimple, showArtist = true): HTMLElement {
  const kind = album.album_type ? album.album_type[0].toUpperCase() + album.album_type.slice(1) : "";
  const detail = [years(album.release_date), kind].filter(Boolean).join(" · ");
  return h(
    "a",
    { class: "card album-card", href: `#/album/${album.id}`, "data-testid": "album-card", "data-id": album.id },
    artwork(album.images, album.id, album.name, COVER_PX.card),
    h("span", { class: "card-title" }, album.name),
    showArtist ? h("span", { class: "card-sub" }, artistNames(album.artists)) : null,
    h("span", { class: "card-sub" }, detail),
  );
}

async function artistsView(): Promise<Content> {
  const artists = await data.artists();
  const grid = h("div", { class: "grid", "data-testid": "artist-list" }, artists.map(artistCard));
  return { title: "Artists", nodes: [h("h1", {}, "Artists"), grid, ...emptyNote(artists, "artists")] };
}

async function albumsView(): Promise<Content> {
  const albums = await data.albums();
  const sorted = albums.slice().sort((a, b) => a.name.localeCompare(b.name));
  const grid = h("div", { class: "grid", "data-testid": "album-list" }, sorted.map((a) => albumCard(a)));
  return { title: "Albums", nodes: [h("h1", {}, "All albums"), grid, ...emptyNote(albums, "albums")] };
}

async function artistView(id: string): Promise<Content> {
  const [artists, albums] = await Promise.all([
    data.artists().catch(() => [] as Artist[]),
    data.artistAlbums(id),
  ]);
  let artist: Artist | undefined = artists.find((a) => a.id === id);
  if (!artist) artist = await api.artist(id);
  const grid = h("div", { class: "grid", "data-testid": "album-list" }, albums.map((a) => albumCard(a, false)));
  const genres = (artist.genres ?? []).join(", ");
  return {
    title: artist.name,
    nodes: [
      h(
        "section",
        { class: "hero artist-hero" },
        cover(artist.id, artist.name),
        h(
          "div",
          {},
          h("p", { class: "kicker" }, "Artist"),
          h("h1", { "data-testid": "artist-name" }, artist.name),
          h("p", { class: "meta" }, [genres, `${albums.length} release${albums.length === 1 ? "" : "s"}`].filter(Boolean).join(" · ")),
          h("div", { class: "hero-actions" }, followButton("artist", artist.id, artist.name), radioButton(`tonearm:artist:${artist.id}`, artist.name)),
        ),
      ),
      h("h2", {}, "Releases"),
      grid,
      ...emptyNote(albums, "albums"),
    ],
  };
}

function queueFromAlbum(album: AlbumFull): QueueItem[] {
  return album.tracks.items.map((track) => ({
    id: track.id,
    name: track.name,
    artists: artistNames(track.artists.length ? track.artists : album.artists),
    albumId: album.id,
    albumName: album.name,
    albumImages: album.images,
    durationMs: track.duration_ms,
  }));
}

async function albumView(id: string): Promise<Content> {
  const album = await data.album(id);
  const tracks = album.tracks.items;
  const total = tracks.reduce((sum, t) => sum + t.duration_ms, 0) / 1000;
  const playFrom = (index: number): void => player.playQueue(queueFromAlbum(album), index);
  const multiDisc = new Set(tracks.map((t) => t.disc_number)).size > 1;
  const row = (track: (typeof tracks)[number], index: number): HTMLElement =>
    trackRow(
      { ...track, album: { id: album.id, name: album.name } },
      {
        number: multiDisc ? `${track.disc_number}-${track.track_number}` : String(track.track_number),
        play: () => playFrom(index),
      },
    );
  const list = h("ol", { class: "tracks", "data-testid": "track-list" }, tracks.map(row));
  return {
    title: album.name,
    nodes: [
      h(
        "section",
        { class: "hero" },
        artwork(album.images, album.id, album.name, COVER_PX.hero),
        h(
          "div",
          {},
          h("p", { class: "kicker" }, album.album_type),
          h("h1", { "data-testid": "album-name" }, album.name),
          h(
            "p",
            { class: "meta" },
            ...artistLinks(album.artists),
            ` · ${years(album.release_date)} · ${tracks.length} track${tracks.length === 1 ? "" : "s"}, ${clock(total)}`,
          ),
          h(
            "div",
            { class: "hero-actions" },
            h(
              "button",
              { class: "pill primary", "data-testid": "play-album", onclick: () => playFrom(0), disabled: tracks.length === 0 },
              "Play",
            ),
            saveAlbumButton(album.id),
            radioButton(`tonearm:album:${album.id}`, album.name),
            h(
              "button",
              { class: "pill", type: "button", "data-testid": "share-album", onclick: () => openShare({ kind: "album", id: album.id, name: album.name }) },
              "Share",
            ),
          ),
        ),
      ),
      list,
      ...emptyNote(tracks, "tracks"),
    ],
  };
}

function markPlaying(): void {
  const id = player.state().trackId;
  for (const row of document.querySelectorAll<HTMLElement>("[data-track-id]")) {
    const playing = row.dataset.trackId === id;
    row.classList.toggle("playing", playing);
    if (playing) row.setAttribute("aria-current", "true");
    else row.removeAttribute("aria-current");
  }
}

window.addEventListener("hashchange", () => {
  void render().then(() => view.focus({ preventScroll: true }));
});

// ---- search ----------------------------------------------------------------------------------

/** Play an album's track from its page, as clicking its row there does. */
async function playAlbumTrack(albumId: string, trackId: string): Promise<void> {
  location.hash = `#/album/${albumId}`;
  const album = await data.album(albumId);
  const index = album.tracks.items.findIndex((track) => track.id === trackId);
  if (index >= 0) player.playQueue(queueFromAlbum(album), index);
}

function openSuggestion(item: Suggestion): void {
  if (item.type === "artist") location.hash = `#/artist/${item.id}`;
  else if (item.type === "album") location.hash = `#/album/${item.id}`;
  // An album that fails to load says so on its page, which is already shown.
  else if (item.album) playAlbumTrack(item.album.id, item.id).catch(() => undefined);
}

new TypeAhead({
  input: searchInput,
  panel: $('[data-testid="search-panel"]'),
  root: $(".search"),
  activate: openSuggestion,
  menu: (item, place) => {
    if (item.type === "track") void openTrackMenu({ id: item.id, name: item.name, albumId: item.album?.id }, place);
  },
});

// ---- the player bar ------------------------------------------------------------------------

const ui = {
  play: $("#play") as HTMLButtonElement,
  prev: $("#prev") as HTMLButtonElement,
  next: $("#next") as HTMLButtonElement,
  seek: $("#seek") as HTMLInputElement,
  elapsed: $("#elapsed"),
  duration: $("#duration"),
  title: $("#now-title") as HTMLAnchorElement,
  artist: $("#now-artist"),
  art: $("#now-art"),
  quality: $("#quality"),
  volume: $("#volume") as HTMLInputElement,
  status: $("#status"),
  queue: $("#queue"),
  queueList: $("#queue-list"),
  queueContext: $("#queue-context"),
  context: $("#now-context"),
  queueToggle: $("#queue-toggle") as HTMLButtonElement,
  notice: $("#notice"),
};

let seeking = false;
ui.play.addEventListener("click", () => player.toggle());
ui.prev.addEventListener("click", () => player.previous());
ui.next.addEventListener("click", () => player.next());
ui.seek.addEventListener("pointerdown", () => (seeking = true));
ui.seek.addEventListener("input", () => {
  seeking = true;
  ui.elapsed.textContent = clock(Number(ui.seek.value));
});
ui.seek.addEventListener("change", () => {
  seeking = false;
  player.seek(Number(ui.seek.value));
});
ui.seek.addEventListener("pointerup", () => (seeking = false));
function showVolume(): void {
  ui.volume.style.setProperty("--p", `${Number(ui.volume.value) * 100}%`);
  ui.volume.setAttribute("aria-valuetext", `${Math.round(Number(ui.volume.value) * 100)}%`);
}
ui.volume.value = String(initialVolume());
showVolume();
ui.volume.addEventListener("input", () => {
  player.setVolume(Number(ui.volume.value));
  localStorage.setItem("tonearm.volume", ui.volume.value);
  showVolume();
});
ui.queueToggle.addEventListener("click", () => {
  ui.queue.hidden = !ui.queue.hidden;
  ui.queueToggle.setAttribute("aria-expanded", String(!ui.queue.hidden));
  ui.queueToggle.setAttribute("aria-label", ui.queue.hidden ? "Show queue" : "Hide queue");
  renderQueue(true);
});

let lastQueueKey = "";
function renderQueue(force = false): void {
  const s = player.state();
  const key = `${s.queueIndex}|${player.queue.length}|${player.queue[0]?.id ?? ""}`;
  if (!force && key === lastQueueKey) return;
  lastQueueKey = key;
  if (ui.queue.hidden) return;
  const playingFrom = player.queue[Math.max(s.queueIndex, 0)]?.contextTitle;
  ui.queueContext.textContent = playingFrom ? `Playing from ${playingFrom}` : "";
  ui.queueContext.hidden = !playingFrom;
  if (!player.queue.length) {
    ui.queueList.replaceChildren(h("li", { class: "empty" }, "The queue is empty. Pick a track."));
    return;
  }
  ui.queueList.replaceChildren(
    ...player.queue.map((item, index) =>
      h(
        "li",
        { class: index === s.queueIndex ? "current" : index < s.queueIndex ? "past" : "" },
        h(
          "button",
          { class: "q-item", onclick: () => player.playIndex(index), "data-testid": "queue-item" },
          h("span", { class: "q-title" }, item.name),
          h("span", { class: "q-artist" }, item.artists),
          reasonNote(item.reasons),
        ),
      ),
    ),
  );
}

let lastTrack: string | null = null;
let lastStatic = "";
function renderBar(): void {
  const s: PlayerState = player.state();
  document.body.classList.toggle("is-playing", !s.paused);
  ui.play.setAttribute("aria-label", s.paused ? "Play" : "Pause");
  ui.play.classList.toggle("paused", s.paused);
  const playingFrom = player.queue[s.queueIndex]?.contextTitle ?? "";
  const staticKey = [s.trackId, s.title, s.artists, s.quality, s.duration, s.error, s.loading, s.queueIndex, s.queueLength, playingFrom].join("|");
  if (staticKey !== lastStatic) {
    lastStatic = staticKey;
    ui.context.textContent = playingFrom ? `Playing from ${playingFrom}` : "";
    ui.context.hidden = !playingFrom;
    ui.title.textContent = s.title ?? "Nothing playing";
    ui.title.href = s.albumId ? `#/album/${s.albumId}` : "#/";
    ui.artist.textContent = s.artists ?? "";
    ui.quality.textContent = s.quality ?? "—";
    ui.quality.style.visibility = s.trackId ? "visible" : "hidden";
    ui.quality.title = s.levels.length ? `Rungs: ${s.levels.join(", ")}` : "Rendition playing now";
    ui.duration.textContent = clock(s.duration);
    ui.seek.max = String(s.duration || 0);
    ui.seek.disabled = !s.trackId;
    ui.prev.disabled = !s.trackId;
    ui.next.disabled = s.queueIndex + 1 >= s.queueLength;
    ui.status.textContent = s.error ?? (s.loading ? "Loading…" : "");
    ui.status.classList.toggle("error", Boolean(s.error));
    if (s.trackId !== lastTrack) {
      lastTrack = s.trackId;
      const item = player.queue[s.queueIndex];
      ui.art.replaceChildren(
        s.trackId ? artwork(item?.albumImages, s.albumId ?? s.trackId, item?.albumName ?? s.title ?? "", COVER_PX.bar) : "",
      );
      markPlaying();
      document.title = s.title ? `${s.title} · ${s.artists} · Tonearm` : document.title;
    }
  }
  if (!seeking) {
    ui.seek.value = String(s.currentTime);
    ui.elapsed.textContent = clock(s.currentTime);
  }
  ui.seek.style.setProperty("--p", s.duration ? `${(100 * s.currentTime) / s.duration}%` : "0%");
  renderQueue();
}

player.subscribe(renderBar);
const frame = (): void => {
  renderBar();
  setTimeout(() => requestAnimationFrame(frame), 200);
};
frame();

// ---- keyboard ------------------------------------------------------------------------------

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !["range", "checkbox", "radio", "button"].includes(target.type);
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (typing(event.target)) return;
  const onRange = event.target instanceof HTMLInputElement && event.target.type === "range";
  if (event.key === " " || event.code === "Space") {
    event.preventDefault();
    player.toggle();
  } else if (event.key === "/") {
    event.preventDefault();
    searchInput.focus();
  } else if (event.key === "ArrowRight" && event.shiftKey) {
    event.preventDefault();
    player.next();
  } else if (event.key === "ArrowLeft" && event.shiftKey) {
    event.preventDefault();
    player.previous();
  } else if (!onRange && (event.key === "ArrowRight" || event.key === "ArrowLeft")) {
    event.preventDefault();
    const s = player.state();
    player.seek(s.currentTime + (event.key === "ArrowRight" ? 5 : -5));
  }
});
// Space on a focused button would also click it on keyup: the keydown above already acted.
document.addEventListener("keyup", (event) => {
  if ((event.key === " " || event.code === "Space") && !typing(event.target)) event.preventDefault();
});

// ---- the account ------------------------------------------------------------------------------

const account = {
  out: $("#account-out"),
  in: $("#account-in"),
  name: $("#account-name"),
  product: $("#account-product"),
  artistTab: $('[data-nav="artist-portal"]'),
};
let noticeTimer = 0;
let meRequest = 0;

/** A short message over the player bar, for a few seconds (at least `seconds`). */
function notice(message: string, seconds = 0): void {
  ui.notice.textContent = message;
  ui.notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = window.setTimeout(() => (ui.notice.hidden = true), (Math.max(seconds, 4) + 2) * 1000);
}

function startSignIn(mode: "login" | "signup"): void {
  signIn(mode).catch((error: Error) => notice(`Cannot sign in here: ${error.message}.`));
}

/** The header as the user is now: Sign in / Sign up, or their name, plan and Sign out. */
function showAccount(): void {
  const isIn = signedIn();
  document.body.classList.toggle("signed-out", !isIn);
  account.out.hidden = isIn;
  account.in.hidden = !isIn;
  const request = ++meRequest;
  account.artistTab.hidden = true;
  if (!isIn) return;
  account.name.textContent = "…";
  account.product.textContent = "";
  currentUser()
    .then((me) => {
      if (request !== meRequest) return;
      account.name.textContent = me.display_name || me.id;
      (account.name as HTMLAnchorElement).href = `#/user/${me.id}`;
      account.name.title = "Your profile";
      account.product.textContent = me.product === "premium" ? "Premium" : "Free";
      account.product.dataset.product = me.product;
      account.artistTab.hidden = !isArtistAccount(me);
      player.setProduct(me.product);
      outbox.setUser(me.id);
    })
    .catch(() => {
      // A 401 has signed the player out already and said why; otherwise the name stays unknown.
      if (request === meRequest && signedIn()) account.name.textContent = "Your account";
    });
}

$("#sign-in").addEventListener("click", () => startSignIn("login"));
$("#sign-up").addEventListener("click", () => startSignIn("signup"));
$("#sign-out").addEventListener("click", () => void signOut());
onNotice((message, seconds) => notice(message, seconds));

// ---- the sidebar and friends' activity --------------------------------------------------------

const sidebar = $("#sidebar");
mountSidebar(sidebar);
const friends = new FriendsPanel($("#friends"), $("#friends-toggle") as HTMLButtonElement);
onTrackMenuMessage((message) => notice(message));
mountRadio(player, (message) => notice(message));

// Home is asked for afresh each time it is opened, also from Home itself (no hash change then).
for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-nav="home"], .brand')) {
  link.addEventListener("click", () => {
    if (location.hash === "#/") void render();
  });
}

/** What a signed-in user has of their own: the sidebar's playlists, friends' activity. */
function showPersonal(): void {
  const isIn = signedIn();
  closeMenu();
  forgetMe();
  myPlaylists.forget();
  sidebar.hidden = !isIn;
  friends.reset(isIn);
  if (!isIn) return;
  loadSidebar(sidebar);
  // A sign-in from an older player did not allow what newer pages need (playlists, covers…).
  if (!grantsEveryScope()) {
    notice("Sign out and in again to use everything here: this sign-in does not allow all of it (Home, playlists, covers, your library, friend activity).", 10);
  }
}

function onSignInOrOut(reason: string | null): void {
  data.forget();
  showPersonal();
  if (!signedIn()) {
    player.stop(); // its last events are kept for the user who made them
    outbox.setUser(null);
    searchInput.value = "";
    searchInput.dispatchEvent(new Event("input"));
  }
  if (reason) notice(reason);
  showAccount();
  void render();
}

async function start(): Promise<void> {
  if (returningFromSignIn()) {
    // Neither signed in nor out yet: no buttons, no search, until the code is exchanged.
    document.body.classList.add("signed-out");
    account.out.hidden = true;
    view.replaceChildren(h("p", { class: "loading" }, "Signing in…"));
    const problem = await finishSignIn();
    if (problem) notice(problem);
  }
  onAuthChange(onSignInOrOut);
  showAccount();
  showPersonal();
  await render();
}

// ---- test hooks ----------------------------------------------------------------------------

declare global {
  interface Window {
    tonearm: {
      state(): PlayerState & { view: string; signedIn: boolean };
      player: Player;
      /** The playback events: waiting, sent, the last batch's results. */
      events(): OutboxStats & { deviceId: string };
      /** Send the waiting events now; resolves when the send is done (or failed). */
      flushEvents(): Promise<OutboxStats>;
      /** The playlist page shown: its version and tracks; null on other pages. */
      playlist(): PlaylistTestState | null;
    };
  }
}

window.tonearm = {
  state: () => ({ ...player.state(), view: signedIn() ? route.view : "welcome", signedIn: signedIn() }),
  player,
  events: () => ({ ...outbox.stats(), deviceId: reporter.device }),
  flushEvents: () => outbox.flush().then(() => outbox.stats()),
  playlist: playlistTestState,
};

void start();
