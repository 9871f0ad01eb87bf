// Other listeners: their names (asked once each), what someone types to name one (a profile
// link, a URI or an id), and a profile page (#/user/<id>) with their public playlists and a
// Follow button.
import { ApiError } from "./api";
import { artwork, COVER_PX, cover, h } from "./dom";
import { libraryApi } from "./library-api";
import { me } from "./me";
import { playlistApi } from "./playlist-api";
import { count, emptyNote, type Content, type PageContext } from "./views";

const names = new Map<string, Promise<string>>();

/** A user's display name: the one given, else asked of /v1/users/<id> (once), else their id. */
export function displayName(user: { id: string; display_name?: string | null }): Promise<string> {
  if (user.display_name) return Promise.resolve(user.display_name);
  let name = names.get(user.id);
  if (!name) {
    name = libraryApi.user(user.id).then(
      (profile) => profile.display_name || profile.id,
      () => user.id,
    );
    names.set(user.id, name);
  }
  return name;
}

const ID = /^[0-9A-Za-z]{22}$/;

/** The user id in what someone pasted: `tonearm:user:<id>` (or spotify:), a link ending in
 * `#/user/<id>` or `/user/<id>`, or the bare id. Null when there is none. */
export function parseUserRef(text: string): string | null {
  const value = text.trim();
  const match =
    /^(?:tonearm|spotify):user:([0-9A-Za-z]+)$/.exec(value) ?? /\/user\/([0-9A-Za-z]+)\/?$/.exec(value) ?? /^([0-9A-Za-z]+)$/.exec(value);
  const id = match?.[1] ?? null;
  return id && ID.test(id) ? id : null;
}

/** A Follow / Following button for a user or an artist, which knows which it is once asked. */
export function followButton(type: "artist" | "user", id: string, name: string, onChange?: (following: boolean) => void): HTMLButtonElement {
  const button = h("button", { class: "pill", type: "button", "data-testid": `follow-${type}`, disabled: true, "aria-pressed": "false" }, "Follow");
  let following = false;
  const show = (): void => {
    button.textContent = following ? "Following" : "Follow";
    button.setAttribute("aria-pressed", String(following));
    button.title = following ? `Unfollow ${name}` : `Follow ${name}`;
    button.classList.toggle("primary", !following);
  };
  libraryApi.follows(type, id).then(
    (answer) => {
      following = answer;
      button.disabled = false;
      show();
    },
    () => (button.title = "Following is not available right now"),
  );
  button.addEventListener("click", () => {
    button.disabled = true;
    libraryApi
      .follow(type, id, !following)
      .then(() => {
        following = !following;
        show();
        onChange?.(following);
      })
      .catch((error: Error) => (button.title = `That failed: ${error.message}`))
      .finally(() => (button.disabled = false));
  });
  show();
  return button;
}

export async function userView(id: string, ctx: PageContext): Promise<Content> {
  const [profile, self, playlists] = await Promise.all([
    libraryApi.user(id, ctx.signal),
    me(),
    playlistApi.ofUser(id, ctx.signal).catch((error) => {
      if (error instanceof ApiError && error.status === 403) return [];
      throw error;
    }),
  ]);
  const name = profile.display_name || profile.id;
  const owned = playlists.filter((p) => p.owner.id === id);
  const link = `${location.origin}/#/user/${profile.id}`;
  const copy = h("button", { class: "pill", type: "button", "data-testid": "copy-profile-link" }, "Copy profile link");
  copy.addEventListener("click", () => {
    navigator.clipboard.writeText(link).then(
      () => ctx.say("Profile link copied."),
      () => ctx.say(`Profile link: ${link}`),
    );
  });
  const actions = h("div", { class: "hero-actions" }, self.id === id ? null : followButton("user", id, name), copy);
  const cards = owned.map((playlist) =>
    h(
      "a",
      { class: "card", href: `#/playlist/${playlist.id}`, "data-testid": "playlist-card", "data-id": playlist.id },
      artwork(playlist.images, playlist.id, playlist.name, COVER_PX.card),
      h("span", { class: "card-title" }, playlist.name),
      h("span", { class: "card-sub" }, count(playlist.tracks.total, "song")),
    ),
  );
  return {
    title: name,
    nodes: [
      h(
        "section",
        { class: "hero artist-hero" },
        cover(profile.id, name),
        h(
          "div",
          {},
          h("p", { class: "kicker" }, self.id === id ? "Your profile" : "Profile"),
          h("h1", { "data-testid": "user-name" }, name),
          h("p", { class: "meta" }, count(profile.followers?.total ?? 0, "follower"), " · ", count(owned.length, "playlist")),
          actions,
        ),
      ),
      h("h2", {}, "Playlists"),
      h("div", { class: "grid", "data-testid": "playlist-list" }, cards),
      ...emptyNote(owned, "playlists"),
    ],
  };
}
