// Friends' activity: a panel on the right (its toggle is in the header) with what each person I
// follow plays now or played last, asked again every second while it is open, so that a
// friend's play shows within about two seconds; and my private-session switch, which hides what
// I play from them.
import { ApiError } from "./api";
import { ago, cover, h } from "./dom";
import { libraryApi, type FriendActivity } from "./library-api";
import { artistNames } from "./views";

const REFRESH_MS = 1000;
const OPEN_KEY = "tonearm.friends.open";

function contextLink(uri: string | null): Node | null {
  const [, kind, id] = uri?.split(":") ?? [];
  if (!id || (kind !== "playlist" && kind !== "album")) return null;
  return h("a", { class: "friend-context", href: `#/${kind}/${id}` }, kind === "playlist" ? "from a playlist" : "from the album");
}

function friendRow(friend: FriendActivity): HTMLElement {
  const { user, track } = friend;
  const name = user.display_name || user.id;
  return h(
    "li",
    { class: friend.playing_now ? "friend playing" : "friend", "data-testid": "friend", "data-user-id": user.id, "data-track-id": track?.id ?? "" },
    cover(user.id, name),
    h(
      "div",
      { class: "friend-text" },
      h("div", { class: "friend-head" }, h("a", { class: "friend-name", href: `#/user/${user.id}` }, name), h("span", { class: "friend-when", "data-testid": "friend-when" }, friend.playing_now ? "Now" : ago(friend.timestamp))),
      track
        ? h("a", { class: "friend-track", href: `#/album/${track.album.id}`, "data-testid": "friend-track" }, track.name, " · ", artistNames(track.artists))
        : h("span", { class: "friend-track" }, "A track no longer in the catalog"),
      contextLink(friend.context_uri),
    ),
  );
}

export class FriendsPanel {
  private timer = 0;
  private readonly list = h("ol", { class: "friends-list", "data-testid": "friends-list" });
  private readonly note = h("p", { class: "meta", role: "status", "data-testid": "friends-status" });
  private readonly privateBox = h("input", { type: "checkbox", "data-testid": "private-session", disabled: true });
  private asking = false;

  constructor(
    private readonly panel: HTMLElement,
    private readonly toggle: HTMLButtonElement,
  ) {
    panel.replaceChildren(
      h("div", { class: "friends-head" }, h("h2", {}, "Friend activity"), h("button", { class: "icon small", type: "button", "aria-label": "Close friend activity", onclick: () => this.setOpen(false) }, "✕")),
      h("label", { class: "check private-session", title: "While it is on, the people who follow you do not see what you play" }, this.privateBox, h("span", {}, "Private session")),
      this.note,
      this.list,
    );
    toggle.addEventListener("click", () => this.setOpen(panel.hidden));
    this.privateBox.addEventListener("change", () => void this.setPrivate(this.privateBox.checked));
    document.addEventListener("visibilitychange", () => this.schedule());
  }

  /** After a sign-in or out: open as it was left, for a signed-in user only. */
  reset(signedIn: boolean): void {
    this.list.replaceChildren();
    this.note.textContent = "";
    this.toggle.hidden = !signedIn;
    this.setOpen(signedIn && localStorage.getItem(OPEN_KEY) === "true", false);
  }

  setOpen(open: boolean, remember = true): void {
    this.panel.hidden = !open;
    document.body.classList.toggle("friends-open", open);
    this.toggle.setAttribute("aria-expanded", String(open));
    this.toggle.classList.toggle("active", open);
    if (remember) localStorage.setItem(OPEN_KEY, String(open));
    if (open) void this.loadPrivateSession();
    this.schedule();
  }

  /** Ask now and then every second, while the panel is open and the page is seen. */
  private schedule(): void {
    clearInterval(this.timer);
    if (this.panel.hidden || document.hidden) return;
    void this.refresh();
    this.timer = window.setInterval(() => void this.refresh(), REFRESH_MS);
  }

  private async refresh(): Promise<void> {
    // One request at a time: a slow answer is not overtaken by the next second's.
    if (this.asking) return;
    this.asking = true;
    try {
      const friends = await libraryApi.friendsActivity();
      this.list.replaceChildren(...friends.map(friendRow));
      this.note.textContent = friends.length ? "" : "Follow people from their profile to see what they play.";
    } catch (error) {
      this.note.textContent =
        error instanceof ApiError && error.status === 403
          ? "Sign in again to see your friends' activity (this sign-in did not allow it)."
          : `Friend activity is not available right now: ${(error as Error).message}`;
    } finally {
      this.asking = false;
    }
  }

  private async loadPrivateSession(): Promise<void> {
    try {
      this.privateBox.checked = await libraryApi.privateSession();
      this.privateBox.disabled = false;
    } catch {
      this.privateBox.disabled = true;
    }
  }

  private async setPrivate(enabled: boolean): Promise<void> {
    this.privateBox.disabled = true;
    try {
      this.privateBox.checked = await libraryApi.setPrivateSession(enabled);
    } catch (error) {
      this.privateBox.checked = !enabled;
      this.note.textContent = `The private session could not be changed: ${(error as Error).message}`;
    } finally {
      this.privateBox.disabled = false;
    }
  }
}
