// "Find something for this playlist": a search box on a playlist page whose track results each
// have an Add button, so tracks can be added without leaving the page.
import { api, type Suggestion } from "./api";
import { cover, h } from "./dom";
import { artistNames } from "./views";

// As the header's type-ahead: long enough to skip most keystrokes, short enough to feel live.
const DEBOUNCE_MS = 120;

export function trackFinder(add: (track: Suggestion) => Promise<void>, signal: AbortSignal): HTMLElement {
  const input = h("input", {
    type: "search",
    placeholder: "Search for tracks to add",
    "aria-label": "Search for tracks to add to this playlist",
    "data-testid": "finder-search",
    autocomplete: "off",
  });
  const results = h("ul", { class: "finder-results", "data-testid": "finder-results" });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = 0;
  const look = async (): Promise<void> => {
    const q = input.value.trim();
    const asked = ++latest;
    if (!q) return results.replaceChildren();
    try {
      const answer = await api.suggest(q, { limit: 10, signal });
      if (asked !== latest) return;
      const tracks = answer.items.filter((item) => item.type === "track");
      results.dataset.query = q;
      results.replaceChildren(...(tracks.length ? tracks.map(resultRow) : [h("li", { class: "meta" }, `No tracks for “${q}”`)]));
    } catch (error) {
      if (asked === latest && !signal.aborted) results.replaceChildren(h("li", { class: "form-error" }, (error as Error).message));
    }
  };
  const resultRow = (track: Suggestion): HTMLElement => {
    const button = h("button", { class: "pill small", type: "button", "data-testid": "finder-add", "aria-label": `Add ${track.name}` }, "Add");
    button.addEventListener("click", () => {
      button.disabled = true;
      void add(track).finally(() => (button.disabled = false));
    });
    return h(
      "li",
      { class: "finder-row", "data-testid": "finder-result", "data-id": track.id },
      cover(track.album?.id ?? track.id, track.album?.name ?? track.name),
      h("span", { class: "t-main" }, h("span", { class: "t-title" }, track.name), h("span", { class: "t-artists" }, artistNames(track.artists ?? []), track.album ? ` · ${track.album.name}` : "")),
      button,
    );
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => void look(), DEBOUNCE_MS);
  });
  signal.addEventListener("abort", () => clearTimeout(timer));
  return h(
    "section",
    { class: "finder", "aria-label": "Add tracks", "data-testid": "finder" },
    h("h2", {}, "Find something for this playlist"),
    input,
    results,
  );
}
