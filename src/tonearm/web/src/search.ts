// The header's type-ahead: the server's suggestions as you type, in a panel under the box (a
// top result, then tracks, artists and albums), driven by the arrow keys, Enter and Escape.
import { api, ApiError, type Suggestion, type Suggestions } from "./api";
import { cover, h } from "./dom";

// Long enough to skip most keystrokes of a fast typist, short enough to feel live.
const DEBOUNCE_MS = 70;
const LIMIT = 10;
const SECTIONS = [
  ["track", "Tracks"],
  ["artist", "Artists"],
  ["album", "Albums"],
] as const;
const KINDS: Record<Suggestion["type"], string> = { track: "Track", artist: "Artist", album: "Album" };

export interface SearchBox {
  input: HTMLInputElement;
  /** An empty element under the input, with the input inside `root`: clicks outside close it. */
  panel: HTMLElement;
  root: HTMLElement;
  /** What choosing a suggestion does; the panel is closed by then. */
  activate: (item: Suggestion) => void;
  /** A right-click (or the context-menu key) on a suggestion: its menu, at the pointer or row. */
  menu?: (item: Suggestion, place: HTMLElement | { x: number; y: number }) => void;
}

/** The second line of a row: track "artists · album", album "artists · year", artist "Artist". */
function subtitle(item: Suggestion): string {
  if (item.type === "artist") return KINDS.artist;
  const artists = (item.artists ?? []).map((a) => a.name).join(", ");
  const detail = item.type === "track" ? item.album?.name : item.release_date?.slice(0, 4);
  return [artists, detail].filter(Boolean).join(" · ");
}

export class TypeAhead {
  private readonly list = h("div", { id: "search-list", role: "listbox", "aria-label": "Suggestions" });
  private readonly note = h("p", { class: "search-note", hidden: true });
  private rows: { item: Suggestion; el: HTMLElement }[] = [];
  private active = -1;
  private correction: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private controller: AbortController | null = null;
  // Each request is numbered: only the newest one's answer is shown, whatever order they arrive in.
  private latest = 0;
  private enterPending = false;

  constructor(private readonly box: SearchBox) {
    const { input, panel, root } = box;
    panel.replaceChildren(this.list, this.note);
    input.setAttribute("aria-controls", this.list.id);
    input.addEventListener("input", () => this.schedule());
    input.addEventListener("keydown", (event) => this.onKey(event));
    input.addEventListener("focus", () => this.reopen());
    // Keep the focus in the box while the mouse picks a row.
    panel.addEventListener("mousedown", (event) => event.preventDefault());
    document.addEventListener("pointerdown", (event) => {
      if (!(event.target instanceof Node) || !root.contains(event.target)) this.close();
    });
  }

  private get text(): string {
    return this.box.input.value;
  }

  /** The text the panel's content answers (on the panel as `data-query`, for tests too). Enter
   * waits for the answer when it is not the box's. */
  private get shownFor(): string | undefined {
    return this.box.panel.dataset.query;
  }

  private set shownFor(q: string | undefined) {
    if (q === undefined) delete this.box.panel.dataset.query;
    else this.box.panel.dataset.query = q;
  }

  private schedule(): void {
    this.enterPending = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.text.trim()) return this.reset();
    this.timer = setTimeout(() => void this.lookUp(), DEBOUNCE_MS);
  }

  private async lookUp(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    const request = ++this.latest;
    const q = this.text;
    try {
      const answer = await api.suggest(q, { limit: LIMIT, signal: controller.signal });
      if (request === this.latest) this.show(q, answer);
    } catch (error) {
      // An aborted request is always an old one: a newer request or a reset took its number.
      if (request !== this.latest) return;
      this.enterPending = false;
      this.showNote(q, error instanceof ApiError ? error.message : "Search is not available right now.");
    }
  }

  /** Forget everything: nothing typed, nothing asked, nothing shown. */
  private reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.controller?.abort();
    this.latest += 1;
    this.shownFor = undefined;
    this.correction = null;
    this.rows = [];
    this.fill([], null);
    this.close();
  }

  private show(q: string, answer: Suggestions): void {
    this.shownFor = q;
    this.rows = [];
    const [top, ...rest] = answer.items;
    const groups = top ? [this.group("Top result", [top], true)] : [];
    for (const [type, title] of SECTIONS) {
      const items = rest.filter((item) => item.type === type);
      if (items.length) groups.push(this.group(title, items, false));
    }
    this.correction = top ? null : answer.did_you_mean;
    this.fill(groups, top ? null : this.nothing(q, answer.did_you_mean));
    this.open();
    if (this.enterPending) {
      this.enterPending = false;
      this.enter();
    }
  }

  private showNote(q: string, message: string): void {
    this.shownFor = q;
    this.correction = null;
    this.rows = [];
    this.fill([], message);
    this.open();
  }

  private fill(groups: HTMLElement[], note: Node | string | null): void {
    this.list.replaceChildren(...groups);
    this.list.hidden = !groups.length;
    this.note.replaceChildren(note ?? "");
    this.note.hidden = note === null;
    this.highlight(-1);
  }

  private group(title: string, items: Suggestion[], top: boolean): HTMLElement {
    const id = `search-group-${title.toLowerCase().replace(/\W+/g, "-")}`;
    return h(
      "div",
      { class: "search-group", role: "group", "aria-labelledby": id },
      h("div", { class: "search-heading", id }, title),
      items.map((item) => this.option(item, top)),
    );
  }

  private option(item: Suggestion, top: boolean): HTMLElement {
    const index = this.rows.length;
    // A track wears its album's cover, as in the player bar.
    const art = item.type === "track" && item.album ? item.album : item;
    const el = h(
      "div",
      {
        class: top ? "search-item search-top" : "search-item",
        id: `search-option-${index}`,
        role: "option",
        "aria-selected": "false",
        "data-testid": "search-item",
        "data-type": item.type,
        "data-id": item.id,
        "data-top": top ? "true" : null,
        onclick: () => this.choose(index),
        oncontextmenu: (event: Event) => {
          if (!this.box.menu) return;
          event.preventDefault();
          const { clientX: x, clientY: y } = event as MouseEvent;
          this.box.menu(item, { x, y });
        },
        onmousemove: () => {
          if (this.active !== index) this.highlight(index, false);
        },
      },
      cover(art.id, art.name),
      h(
        "span",
        { class: "search-text" },
        h("span", { class: "search-name" }, item.name),
        h(
          "span",
          { class: "search-sub" },
          top ? h("span", { class: "search-kind" }, KINDS[item.type]) : null,
          top && item.type === "artist" ? null : subtitle(item),
        ),
      ),
    );
    this.rows.push({ item, el });
    return el;
  }

  private nothing(q: string, correction: string | null): Node {
    if (!correction) return document.createTextNode(`No results for “${q.trim()}”`);
    return h(
      "button",
      { type: "button", "data-testid": "search-did-you-mean", onclick: () => this.respell(correction) },
      "Did you mean ",
      h("b", {}, correction),
      "?",
    );
  }

  private respell(text: string): void {
    this.box.input.value = text;
    this.box.input.focus();
    void this.lookUp();
  }

  private open(): void {
    this.box.panel.hidden = false;
    this.box.input.setAttribute("aria-expanded", "true");
  }

  private close(): void {
    this.box.panel.hidden = true;
    this.box.input.setAttribute("aria-expanded", "false");
    this.highlight(-1);
  }

  private reopen(): void {
    if (!this.text.trim()) return;
    if (this.shownFor === this.text) this.open();
    else void this.lookUp();
  }

  private highlight(index: number, scroll = true): void {
    this.active = index;
    this.rows.forEach(({ el }, i) => el.setAttribute("aria-selected", String(i === index)));
    const row = this.rows[index]?.el;
    if (row) this.box.input.setAttribute("aria-activedescendant", row.id);
    else this.box.input.removeAttribute("aria-activedescendant");
    if (row && scroll) row.scrollIntoView({ block: "nearest" });
  }

  private move(step: 1 | -1): void {
    if (this.box.panel.hidden) return this.reopen();
    const count = this.rows.length;
    if (!count) return;
    const from = this.active < 0 ? (step > 0 ? -1 : count) : this.active;
    this.highlight((from + step + count) % count);
  }

  private choose(index: number): void {
    const row = this.rows[index];
    if (!row) return;
    this.close();
    this.box.activate(row.item);
  }

  private enter(): void {
    if (!this.text.trim()) return;
    if (this.timer !== undefined || this.shownFor !== this.text) {
      // Typed faster than the answers came: take the first row of the answer for this text.
      this.enterPending = true;
      void this.lookUp();
    } else if (this.box.panel.hidden) {
      this.open();
    } else if (this.rows.length) {
      this.choose(Math.max(this.active, 0));
    } else if (this.correction) {
      this.respell(this.correction);
    }
  }

  private escape(): void {
    if (!this.box.panel.hidden) this.close();
    else if (this.text) {
      this.box.input.value = "";
      this.reset();
    } else this.box.input.blur();
  }

  private onKey(event: KeyboardEvent): void {
    if (event.isComposing) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      this.move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      this.enter();
    } else if (event.key === "Escape") {
      // Also keeps Chromium from clearing a search field on the first Escape.
      event.preventDefault();
      this.escape();
    } else if (event.key === "Tab") {
      this.close();
    } else if ((event.key === "ContextMenu" || (event.key === "F10" && event.shiftKey)) && this.rows[this.active]) {
      event.preventDefault();
      this.box.menu?.(this.rows[this.active].item, this.rows[this.active].el);
    }
  }
}
