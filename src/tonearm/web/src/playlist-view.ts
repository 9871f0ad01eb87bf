// A playlist page (#/playlist/<id>): cover, name, owner, description; its items with who added
// each; for those who may edit it, remove, drag-and-drop reorder (or the move buttons), a search
// to add tracks, and for the owner its cover, details and invitations; its history.
//
// The page shows one version of the playlist (`shown`) and nothing else: a change is sent with
// that version's snapshot_id and the positions as they are in it, and the page shows the new
// version once the server has it. Collaborators may change the playlist meanwhile; the server
// carries positions of an older version over to the current one, so nothing anyone did is lost.
// Their changes show here within a couple of seconds (the page looks for a new version).
//
// A made-for-you list (Discover Weekly, Release Radar, a Daily Mix) is a playlist the platform
// owns: the page shows Tonearm as its owner, offers no edits, and says under each track why the
// list holds it, as the server said it.
import { ApiError, type Suggestion, type TrackFull } from "./api";
import { ago, artwork, clock, COVER_PX, h, pickImage } from "./dom";
import { HistoryPanel } from "./history";
import { me } from "./me";
import type { MenuItem } from "./menu";
import { displayName } from "./people";
import { coverButton, coverPayload } from "./playlist-cover";
import { editDetails, inviteCollaborator } from "./playlist-details";
import { playlistApi, type PlaylistItem, type PlaylistState } from "./playlist-api";
import { myPlaylists } from "./playlists";
import { radioButton } from "./radio";
import { reasonNote, reasonTexts } from "./reasons";
import { recsApi, type MadeForYouList } from "./recs-api";
import { openShare } from "./share";
import { trackFinder } from "./track-finder";
import { trackRow } from "./tracks";
import { count, emptyNote, queueOf, type Content, type PageContext } from "./views";

// The owner the server names for the playlists the platform made (and those left to nobody).
const PLATFORM_OWNER = "tonearm";
// How often an open playlist asks whether there is a newer version (collaborators' changes).
const LOOK_FOR_CHANGES_MS = 1500;

/** The page's state, for tests: the version shown, its tracks, and whether a change is on its way. */
export interface PlaylistTestState {
  id: string;
  snapshotId: string;
  trackIds: (string | null)[];
  addedBy: (string | null)[];
  saving: boolean;
}

let openPage: PlaylistPage | null = null;

export function playlistTestState(): PlaylistTestState | null {
  return openPage?.testState() ?? null;
}

export async function playlistView(id: string, ctx: PageContext): Promise<Content> {
  const [state, user] = await Promise.all([playlistApi.state(id, ctx.signal), me()]);
  // Only the platform's playlists can be made-for-you lists (the others are not asked about).
  // Their reasons are extra: a page that cannot have them still shows the playlist.
  const madeForYou =
    state.playlist.owner.id === PLATFORM_OWNER ? await recsApi.byPlaylist(id, ctx.signal).catch(() => null) : null;
  const owner = state.playlist.owner.id === user.id;
  // A collaborative playlist may be changed by its followers (the invited are followers).
  const following = owner || (await playlistApi.followsMe(id, ctx.signal));
  const page = new PlaylistPage(state, { meId: user.id, following, madeForYou }, ctx);
  return { title: state.playlist.name, nodes: [page.element] };
}

// How long a new cover may take to load before the page shows it loading.
const PRELOAD_COVER_MS = 3000;

/** Load the cover `state` shows (the browser keeps it), so that it is drawn at once. */
function preloadCover(state: PlaylistState): Promise<void> {
  const image = pickImage(state.playlist.images, COVER_PX.hero);
  if (!image) return Promise.resolve();
  const img = new Image();
  img.src = image.url;
  const loaded = img.decode().catch(() => undefined);
  return Promise.race([loaded, new Promise<void>((resolve) => setTimeout(resolve, PRELOAD_COVER_MS))]);
}

class PlaylistPage {
  readonly element = h("div", { class: "playlist-page", "data-testid": "playlist-page" });
  private readonly hero = h("section", { class: "hero playlist-hero" });
  private readonly list = h("ol", { class: "tracks playlist-tracks", "data-testid": "playlist-tracks" });
  private readonly empty = h("div", {});
  private readonly status = h("p", { class: "playlist-status", role: "status", "data-testid": "playlist-status" });
  /** Why the cover just picked was not taken (the player's reason, or the server's). */
  private readonly coverNote = h("p", { class: "form-error cover-note", role: "alert", "data-testid": "cover-note" });
  /** The cover being uploaded, shown from the file until the server's copy is. */
  private coverPreview: string | null = null;
  private readonly historySlot = h("div", {});
  private readonly finderSlot = h("div", {});
  private history: HistoryPanel | null = null;
  private finder: HTMLElement | null = null;
  private pending = 0;
  private reads = 0;
  private dragFrom: number | null = null;
  /** The button to give the focus back to once a move made with the keyboard is shown. */
  private refocus: { position: number; testid: string } | null = null;
  /** A newer version came while a drag was on: shown when the drag ends. */
  private staleDuringDrag = false;

  constructor(
    private shown: PlaylistState,
    private readonly viewer: { meId: string; following: boolean; madeForYou: MadeForYouList | null },
    private readonly ctx: PageContext,
  ) {
    this.element.append(this.hero, this.coverNote, this.status, this.list, this.empty, this.finderSlot, this.historySlot);
    this.show(shown);
    openPage = this;
    const timer = setInterval(() => void this.lookForChanges(), LOOK_FOR_CHANGES_MS);
    ctx.signal.addEventListener("abort", () => {
      clearInterval(timer);
      if (openPage === this) openPage = null;
    });
  }

  private get id(): string {
    return this.shown.playlist.id;
  }

  private get owner(): boolean {
    return this.shown.playlist.owner.id === this.viewer.meId;
  }

  private get editable(): boolean {
    if (this.viewer.madeForYou) return false; // the platform's: the server refuses edits
    return this.owner || (this.shown.playlist.collaborative && this.viewer.following);
  }

  /** Why the made-for-you list holds each of its tracks (by track id), as the server said it. */
  private reasonsOf(trackId: string): string[] {
    const track = this.viewer.madeForYou?.tracks.find((entry) => entry.id === trackId);
    return reasonTexts(track?.reasons);
  }

  testState(): PlaylistTestState {
    return {
      id: this.id,
      snapshotId: this.shown.playlist.snapshot_id,
      trackIds: this.shown.items.map((item) => item.track?.id ?? null),
      addedBy: this.shown.items.map((item) => item.added_by?.id ?? null),
      saving: this.pending > 0,
    };
  }

  // ---- showing a version ----

  private show(state: PlaylistState): void {
    this.shown = state;
    this.showHero();
    this.list.replaceChildren(...state.items.map((item, index) => this.row(item, index)));
    this.list.dataset.snapshot = state.playlist.snapshot_id;
    this.empty.replaceChildren(...emptyNote(state.items, "tracks in this playlist"));
    this.finderSlot.replaceChildren();
    if (this.editable) this.finderSlot.append(this.finder ??= trackFinder((track) => this.addFound(track), this.ctx.signal));
    if (this.history) void this.history.reload();
    if (this.refocus && this.pending === 0) {
      const { position, testid } = this.refocus;
      this.refocus = null;
      this.list.children[position]?.querySelector<HTMLElement>(`[data-testid="${testid}"]`)?.focus();
    }
  }

  private showHero(): void {
    // A button of the hero that had the focus (Change cover, Follow) keeps it when redrawn.
    const focused = document.activeElement instanceof HTMLElement && this.hero.contains(document.activeElement) ? document.activeElement.dataset.testid : undefined;
    this.hero.replaceChildren(...this.heroContent());
    if (focused) this.hero.querySelector<HTMLElement>(`[data-testid="${focused}"]`)?.focus();
  }

  private heroContent(): Node[] {
    const { playlist, items } = this.shown;
    const seconds = items.reduce((sum, item) => sum + (item.track?.duration_ms ?? 0), 0) / 1000;
    const madeForYou = this.viewer.madeForYou;
    const kind = madeForYou ? "Made for you" : playlist.collaborative ? "Collaborative playlist" : playlist.public ? "Public playlist" : "Private playlist";
    const ownerName = madeForYou
      ? h("span", { "data-testid": "playlist-owner" }, "Tonearm")
      : h("a", { href: `#/user/${playlist.owner.id}`, "data-testid": "playlist-owner" }, playlist.owner.display_name || playlist.owner.id);
    const button = (label: string, testid: string, action: () => void, primary = false): HTMLElement =>
      h("button", { class: primary ? "pill primary" : "pill", type: "button", "data-testid": testid, onclick: action }, label);
    const playable = items.some((item) => item.track && item.track.is_playable !== false);
    return [
      this.coverArt(),
      h(
        "div",
        { class: "hero-text" },
        h("p", { class: "kicker" }, kind, playlist.collaborative ? h("span", { class: "badge", "data-testid": "collaborative-badge" }, "Collaborative") : null),
        h("h1", { "data-testid": "playlist-name" }, playlist.name),
        playlist.description ? h("p", { class: "description", "data-testid": "playlist-description" }, playlist.description) : null,
        h("p", { class: "meta" }, ownerName, ` · ${count(items.length, "song")}, ${clock(seconds)}`, playlist.followers.total > 1 ? ` · ${count(playlist.followers.total, "follower")}` : ""),
        h(
          "div",
          { class: "hero-actions" },
          playable ? button("Play", "play-playlist", () => this.play(0), true) : null,
          this.owner ? button("Edit details", "edit-details", () => void this.editDetails()) : null,
          this.owner && playlist.collaborative ? button("Invite", "invite", () => inviteCollaborator(playlist)) : null,
          this.owner || madeForYou ? null : button(this.viewer.following ? "Unfollow" : "Follow", "follow-playlist", () => void this.toggleFollow()),
          playable ? radioButton(playlist.uri, playlist.name) : null,
          button("Share", "share-playlist", () => openShare({ kind: "playlist", id: playlist.id, name: playlist.name })),
          h("button", { class: "pill", type: "button", "data-testid": "history-toggle", "aria-expanded": String(this.history !== null), onclick: () => this.toggleHistory() }, "History"),
        ),
      ),
    ];
  }

  private coverArt(): HTMLElement {
    const { playlist } = this.shown;
    const images = this.coverPreview ? [{ url: this.coverPreview }] : playlist.images;
    const art = artwork(images, playlist.id, playlist.name, COVER_PX.hero);
    art.dataset.testid = "playlist-cover";
    // Only the owner may change the cover (collaborators may change the tracks alone).
    return this.owner ? coverButton(art, (file) => void this.changeCover(file)) : art;
  }

  private row(item: PlaylistItem, index: number): HTMLElement {
    const track = item.track;
    const addedBy = h("span", { class: "t-added", "data-testid": "added-by" });
    if (item.added_by) {
      const who = item.added_by;
      addedBy.textContent = who.display_name || "…";
      if (!who.display_name) void displayName(who).then((name) => (addedBy.textContent = name));
    }
    const when = h("span", { class: "t-when", title: new Date(item.added_at).toLocaleString() }, ago(item.added_at));
    // What this row's buttons and menu do is said in this version's positions.
    const state = this.shown;
    const controls = this.editable ? this.rowControls(state, index, item) : [];
    const row = track
      ? trackRow(
          { ...track, album: track.album },
          {
            number: String(index + 1),
            play: track.is_playable === false ? null : () => this.play(index),
            showAlbum: true,
            extra: this.viewer.madeForYou ? [when] : [addedBy, when],
            note: reasonNote(this.reasonsOf(track.id)),
            controls,
            menuItems: () => this.rowMenu(state, index, item),
          },
        )
      : h("li", { class: "track unplayable", "data-testid": "track-row" }, h("span", { class: "num" }, String(index + 1)), h("span", { class: "t-main" }, h("span", { class: "t-title" }, "A track no longer in the catalog")), addedBy, when, h("span", { class: "t-actions" }, controls));
    row.dataset.position = String(index);
    if (this.editable) this.makeDraggable(row, index);
    return row;
  }

  private rowControls(state: PlaylistState, index: number, item: PlaylistItem): HTMLElement[] {
    const last = state.items.length - 1;
    const name = item.track?.name ?? "this track";
    const control = (label: string, testid: string, symbol: string, disabled: boolean, action: () => void): HTMLElement =>
      h(
        "button",
        {
          class: "icon small",
          type: "button",
          "aria-label": `${label}: ${name}`,
          title: label,
          "data-testid": testid,
          disabled,
          onclick: (event: Event) => {
            event.stopPropagation();
            action();
          },
        },
        symbol,
      );
    return [
      control("Move up", "move-up", "↑", index === 0, () => {
        this.refocus = { position: index - 1, testid: index - 1 === 0 ? "move-down" : "move-up" };
        void this.move(state, index, index - 1);
      }),
      control("Move down", "move-down", "↓", index === last, () => {
        this.refocus = { position: index + 1, testid: index + 1 === last ? "move-up" : "move-down" };
        void this.move(state, index, index + 2);
      }),
      control("Remove from this playlist", "remove-item", "✕", false, () => void this.remove(state, index)),
    ];
  }

  private rowMenu(state: PlaylistState, index: number, item: PlaylistItem): MenuItem[] {
    if (!this.editable || !item.track) return [];
    return [{ label: "Remove from this playlist", testid: "menu-remove-from-playlist", action: () => void this.remove(state, index) }];
  }

  // ---- drag and drop: a row dropped on the upper half of another goes before it, else after ----

  private makeDraggable(row: HTMLElement, index: number): void {
    row.draggable = true;
    row.addEventListener("dragstart", (event) => {
      this.dragFrom = index;
      row.classList.add("dragging");
      event.dataTransfer?.setData("text/plain", String(index));
      if (event.dataTransfer) event.dataTransfer.effectAllowed = "move";
    });
    row.addEventListener("dragend", () => {
      this.dragFrom = null;
      row.classList.remove("dragging");
      this.clearDropMarks();
      if (this.staleDuringDrag) {
        this.staleDuringDrag = false;
        void this.refresh();
      }
    });
    row.addEventListener("dragover", (event) => {
      if (this.dragFrom === null) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "move";
      const after = this.dropsAfter(row, event);
      this.clearDropMarks();
      row.classList.add(after ? "drop-after" : "drop-before");
    });
    row.addEventListener("dragleave", () => row.classList.remove("drop-before", "drop-after"));
    row.addEventListener("drop", (event) => {
      if (this.dragFrom === null) return;
      event.preventDefault();
      const from = this.dragFrom;
      const insertBefore = index + (this.dropsAfter(row, event) ? 1 : 0);
      this.clearDropMarks();
      // No new version is shown while a drag is on: both positions are in the one shown.
      void this.move(this.shown, from, insertBefore);
    });
  }

  private dropsAfter(row: HTMLElement, event: DragEvent): boolean {
    const box = row.getBoundingClientRect();
    return event.clientY > box.top + box.height / 2;
  }

  private clearDropMarks(): void {
    for (const marked of this.list.querySelectorAll(".drop-before, .drop-after")) marked.classList.remove("drop-before", "drop-after");
  }

  // ---- changes ----

  /** Send one change, made on the version `snapshotId` (the one its row was shown in), then
   * show the version the server has after it. */
  private async change(what: string, snapshotId: string, send: (snapshotId: string) => Promise<unknown>): Promise<boolean> {
    this.pending += 1;
    this.showSaving();
    let done = true;
    try {
      await send(snapshotId);
    } catch (error) {
      done = false;
      this.ctx.say(`${what} failed: ${(error as Error).message}`);
    }
    this.pending -= 1;
    await this.refresh();
    this.showSaving();
    return done;
  }

  private showSaving(): void {
    this.element.dataset.saving = String(this.pending > 0);
    this.status.textContent = this.pending > 0 ? "Saving…" : "";
  }

  private move(state: PlaylistState, from: number, insertBefore: number): Promise<boolean> {
    // Before or just after itself: it stays where it is.
    if (insertBefore === from || insertBefore === from + 1) return Promise.resolve(false);
    const version = state.playlist.snapshot_id;
    return this.change("Moving", version, (snapshotId) => playlistApi.move(this.id, from, insertBefore, snapshotId));
  }

  private remove(state: PlaylistState, index: number): Promise<boolean> {
    const track = state.items[index]?.track;
    if (!track) return Promise.resolve(false);
    const version = state.playlist.snapshot_id;
    return this.change("Removing", version, (snapshotId) => playlistApi.removeAt(this.id, track.uri, index, snapshotId)).then((done) => {
      if (done) void myPlaylists.refresh();
      return done;
    });
  }

  private async addFound(track: Suggestion): Promise<void> {
    // After the last track shown (the version shown is named, as with every change here).
    const version = this.shown.playlist.snapshot_id;
    const done = await this.change("Adding", version, (snapshotId) => playlistApi.add(this.id, [track.uri], { snapshotId }));
    if (done) {
      this.ctx.say(`Added ${track.name}.`);
      void myPlaylists.refresh();
    }
  }

  private revert(snapshotId: string): Promise<boolean> {
    return this.change("Reverting", this.shown.playlist.snapshot_id, () => playlistApi.revert(this.id, snapshotId));
  }

  private async editDetails(): Promise<void> {
    if (await editDetails(this.shown.playlist)) {
      await this.refresh();
      void myPlaylists.refresh();
    }
  }

  /** Check the file, show it, send it; then show the cover as the server has it. */
  private async changeCover(file: File): Promise<void> {
    this.coverNote.textContent = "";
    let base64: string;
    try {
      base64 = await coverPayload(file);
    } catch (error) {
      this.coverNote.textContent = (error as Error).message;
      return;
    }
    const preview = URL.createObjectURL(file);
    this.coverPreview = preview;
    this.showHero();
    this.pending += 1;
    this.showSaving();
    let done = true;
    try {
      await playlistApi.uploadCover(this.id, base64);
    } catch (error) {
      done = false;
      this.coverNote.textContent = `The cover was not changed: ${(error as Error).message}`;
    }
    this.pending -= 1;
    // The server's copy replaces the preview once it is loaded: no flash of the old cover.
    this.coverPreview = null;
    if (done) await this.refresh(preloadCover);
    else this.showHero();
    URL.revokeObjectURL(preview);
    this.showSaving();
    if (done) {
      this.ctx.say("Cover changed.");
      void myPlaylists.refresh();
    }
  }

  private async toggleFollow(): Promise<void> {
    const following = !this.viewer.following;
    try {
      await (following ? playlistApi.follow(this.id) : playlistApi.unfollow(this.id));
      this.viewer.following = following;
      void myPlaylists.refresh();
      this.show(this.shown);
    } catch (error) {
      this.ctx.say(`That failed: ${(error as Error).message}`);
    }
  }

  // ---- keeping up with collaborators ----

  /** Read the current version and show it (unless a newer read started meanwhile), once
   * `prepare` has made ready what it needs. */
  private async refresh(prepare?: (state: PlaylistState) => Promise<void>): Promise<void> {
    const read = ++this.reads;
    try {
      const state = await playlistApi.state(this.id, this.ctx.signal);
      if (prepare) await prepare(state);
      if (read !== this.reads || this.ctx.signal.aborted) return;
      if (this.dragFrom !== null) {
        this.staleDuringDrag = true;
        return;
      }
      this.show(state);
    } catch (error) {
      if (this.ctx.signal.aborted) return;
      this.status.textContent =
        error instanceof ApiError && error.status === 404
          ? "This playlist is gone, or no longer shared with you."
          : `Could not read the playlist: ${(error as Error).message}`;
    }
  }

  private async lookForChanges(): Promise<void> {
    if (document.hidden || this.pending > 0 || this.ctx.signal.aborted) return;
    try {
      const latest = await playlistApi.snapshotId(this.id, this.ctx.signal);
      if (latest !== this.shown.playlist.snapshot_id && this.pending === 0) await this.refresh();
    } catch {
      // Offline for a moment, or rate-limited: the next look will tell.
    }
  }

  // ---- playing and history ----

  private play(index: number): void {
    const playable = this.shown.items
      .map((item, position) => ({ track: item.track, position }))
      .filter((entry): entry is { track: TrackFull; position: number } => entry.track !== null && entry.track.is_playable !== false);
    const start = playable.findIndex((entry) => entry.position >= index);
    if (start < 0) return;
    const { playlist } = this.shown;
    const queue = queueOf(playable.map((entry) => entry.track), playlist.uri).map((item) => ({
      ...item,
      contextTitle: playlist.name,
      reasons: this.reasonsOf(item.id),
    }));
    this.ctx.play(queue, start);
  }

  private toggleHistory(): void {
    if (this.history) {
      this.history = null;
      this.historySlot.replaceChildren();
    } else {
      this.history = new HistoryPanel({
        playlistId: this.id,
        current: () => this.shown.playlist.snapshot_id,
        editable: () => this.editable,
        knownNames: () => new Map(this.shown.items.flatMap((item) => (item.track ? [[item.track.id, item.track.name] as [string, string]] : []))),
        revert: (snapshotId) => this.revert(snapshotId),
      });
      this.historySlot.replaceChildren(this.history.element);
      void this.history.reload();
      this.history.element.scrollIntoView({ block: "nearest" });
    }
    this.hero.querySelector('[data-testid="history-toggle"]')?.setAttribute("aria-expanded", String(this.history !== null));
  }
}
