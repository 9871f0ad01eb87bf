// Home (#/, the page the player opens on): the server's greeting for this time of day, then each
// of its shelves as a row of cards. A track's card plays it (with the shelf's other tracks after
// it); an album's, playlist's or artist's card opens its page. Under each recommended item its
// first reason, all of them on hover or focus. A listener with no plays yet gets the
// "pick-artists" shelf instead: its cards are toggles, and Done saves the picks and shows Home
// again, made from them. Home is asked for afresh each time it is opened.
import { api, ApiError } from "./api";
import { artwork, COVER_PX, h } from "./dom";
import { reasonNote, reasonTexts } from "./reasons";
import { recsApi, type HomeItem, type HomeView, type Shelf } from "./recs-api";
import { queueOf, type Content, type PageContext } from "./views";

const PICK_SHELF = "pick-artists";
// What PUT /v1/me/taste/artists takes.
const MOST_PICKS = 20;

export async function homeView(ctx: PageContext): Promise<Content> {
  const root = h("div", { class: "home", "data-testid": "home" });
  await fill(root, ctx);
  return { title: "Home", nodes: [root] };
}

async function fill(root: HTMLElement, ctx: PageContext): Promise<void> {
  let home: HomeView;
  try {
    home = await recsApi.home(ctx.signal);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 403)) throw error;
    // A sign-in from an older player did not allow it: the catalog is still there.
    root.replaceChildren(
      h("h1", {}, "Home"),
      h("p", { class: "empty", "data-testid": "empty" }, "Sign out and in again to see Home: this sign-in does not allow it. ", h("a", { href: "#/artists" }, "Browse the artists"), "."),
    );
    return;
  }
  // A listener still choosing sees what they picked so far as picked.
  const picks = home.shelves.some((shelf) => shelf.id === PICK_SHELF)
    ? await recsApi.taste(ctx.signal).then((taste) => taste.artists.map((artist) => artist.id), () => [])
    : [];
  root.dataset.partOfDay = home.part_of_day;
  root.replaceChildren(...homeNodes(home, picks, root, ctx));
}

function homeNodes(home: HomeView, picks: string[], root: HTMLElement, ctx: PageContext): Node[] {
  const shelves = home.shelves.filter((shelf) => shelf.items.length);
  return [
    h("h1", { class: "greeting", "data-testid": "greeting" }, home.greeting),
    ...shelves.map((shelf) =>
      shelf.id === PICK_SHELF ? pickArtists(shelf, picks, () => fill(root, ctx), ctx) : shelfSection(shelf, ctx),
    ),
    shelves.length ? null : h("p", { class: "empty", "data-testid": "empty" }, "Nothing to show here yet: play something, and come back."),
  ].filter((node): node is HTMLElement => node !== null);
}

function shelfSection(shelf: Shelf, ctx: PageContext): HTMLElement {
  return h(
    "section",
    { class: "shelf", "data-testid": "shelf", "data-shelf": shelf.id, "aria-label": shelf.title },
    h("h2", { class: "shelf-title" }, shelf.title),
    h("div", { class: "shelf-row" }, shelf.items.map((item) => card(item, shelf, ctx))),
  );
}

function cardBody(item: HomeItem): (Node | null)[] {
  return [
    artwork(item.images, item.id, item.name, COVER_PX.card),
    h("span", { class: "card-title", "data-testid": "card-title" }, item.name),
    item.subtitle ? h("span", { class: "card-sub" }, item.subtitle) : null,
    reasonNote(reasonTexts(item.reasons)),
  ];
}

function card(item: HomeItem, shelf: Shelf, ctx: PageContext): HTMLElement {
  const attrs = { class: `card home-card ${item.type}-card`, "data-testid": "home-card", "data-type": item.type, "data-id": item.id };
  if (item.type === "track") {
    const label = `Play ${item.name}${item.subtitle ? ` by ${item.subtitle}` : ""}`;
    return h("button", { ...attrs, type: "button", "aria-label": label, onclick: () => void playShelf(shelf, item, ctx) }, cardBody(item));
  }
  return h("a", { ...attrs, href: `#/${item.type}/${encodeURIComponent(item.id)}` }, cardBody(item));
}

/** Play the shelf's tracks from `item` on, each with the reasons Home gave it. */
async function playShelf(shelf: Shelf, item: HomeItem, ctx: PageContext): Promise<void> {
  const items = shelf.items.filter((entry) => entry.type === "track");
  try {
    const tracks = (await api.tracks(items.map((entry) => entry.id))).filter((track) => track.is_playable !== false);
    const reasons = new Map(items.map((entry) => [entry.id, reasonTexts(entry.reasons)]));
    const queue = queueOf(tracks).map((entry) => ({ ...entry, reasons: reasons.get(entry.id) }));
    const start = queue.findIndex((entry) => entry.id === item.id);
    if (start < 0) ctx.say(`${item.name} cannot be played here.`);
    else ctx.play(queue, start);
  } catch (error) {
    ctx.say(`${item.name} could not be played: ${(error as Error).message}`);
  }
}

// ---- onboarding -----------------------------------------------------------------------------

/** The artists to pick from, as toggles (`already` picked), and Done: saves the picks, then
 * `reload`s Home. */
function pickArtists(shelf: Shelf, already: string[], reload: () => Promise<void>, ctx: PageContext): HTMLElement {
  const picked = new Set<string>(already);
  const status = h("span", { class: "meta pick-count", role: "status", "data-testid": "pick-count" }, "Pick a few artists you like.");
  const done = h("button", { class: "pill primary", type: "button", "data-testid": "pick-done", disabled: true }, "Done") as HTMLButtonElement;
  const toggles = shelf.items
    .filter((item) => item.type === "artist")
    .map((item) => {
      const toggle = h("button", { class: "card home-card artist-card pick", type: "button", "aria-pressed": "false", "data-testid": "pick-artist", "data-id": item.id }, cardBody(item));
      toggle.addEventListener("click", () => {
        if (picked.has(item.id)) picked.delete(item.id);
        else if (picked.size < MOST_PICKS) picked.add(item.id);
        show();
      });
      return toggle;
    });
  function show(): void {
    for (const toggle of toggles) {
      const on = picked.has(toggle.dataset.id ?? "");
      toggle.setAttribute("aria-pressed", String(on));
      toggle.classList.toggle("picked", on);
      toggle.toggleAttribute("disabled", !on && picked.size >= MOST_PICKS);
    }
    done.disabled = picked.size === 0;
    status.textContent = picked.size ? `${picked.size} picked` : "Pick a few artists you like.";
  }
  show();
  done.addEventListener("click", () => {
    done.disabled = true;
    status.textContent = "Saving…";
    recsApi
      .saveTaste([...picked])
      .then(reload)
      .catch((error: Error) => {
        if (ctx.signal.aborted) return;
        ctx.say(`Your picks could not be saved: ${error.message}`);
        show();
      });
  });
  return h(
    "section",
    { class: "shelf pick-shelf", "data-testid": "shelf", "data-shelf": shelf.id, "aria-label": shelf.title },
    h("h2", { class: "shelf-title" }, shelf.title),
    h("div", { class: "grid pick-grid" }, toggles),
    h("div", { class: "hero-actions" }, done, status),
  );
}
