// The artist portal (#/artist), for an artist account: the streams and listeners of its artists'
// tracks over the last 7, 28 or 90 days (a bar a day, each market, the top tracks), then the
// royalty statements of their rightsholders; a statement opens to its lines, track by track.
// Money is shown in major units of its currency; a provisional statement says so.
import { api, ApiError } from "./api";
import { h } from "./dom";
import {
  royaltiesApi,
  type ArtistStats,
  type DayStreams,
  type Statement,
  type StatementEntry,
  type StatementLine,
} from "./royalties-api";
import { count, type Content, type PageContext } from "./views";

const PERIODS = [7, 28, 90];
const FIRST_PERIOD = 28;
const DAY_MS = 86_400_000;

export async function artistPortalView(ctx: PageContext): Promise<Content> {
  let stats: ArtistStats, statements: StatementEntry[];
  try {
    [stats, statements] = await Promise.all([
      royaltiesApi.stats(FIRST_PERIOD, ctx.signal),
      royaltiesApi.statements(ctx.signal),
    ]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return notAnArtist();
    throw error;
  }
  const numbers = h("section", { class: "portal-stats", "data-testid": "artist-stats", "aria-label": "Streams" });
  showStats(numbers, stats);
  const opened = h("section", { class: "portal-statement", "data-testid": "statement", "aria-live": "polite", hidden: true });
  return {
    title: "Artist portal",
    nodes: [
      h("h1", {}, "Artist portal"),
      periodPicker(numbers, ctx),
      numbers,
      h("h2", {}, "Statements"),
      statementList(statements, opened, ctx),
      opened,
    ],
  };
}

function notAnArtist(): Content {
  return {
    title: "Artist portal",
    nodes: [h("h1", {}, "Artist portal"), h("p", { class: "empty", "data-testid": "empty" }, "The artist portal is for artist accounts.")],
  };
}

// ---- streams ---------------------------------------------------------------------------------

/** 7, 28 or 90 days: the one pressed is shown in `numbers`. */
function periodPicker(numbers: HTMLElement, ctx: PageContext): HTMLElement {
  let asked = 0;
  const buttons = PERIODS.map((days) =>
    h("button", { class: "pill small", type: "button", "data-testid": "period", "data-days": days, "aria-pressed": String(days === FIRST_PERIOD) }, `${days} days`),
  );
  const choose = async (days: number): Promise<void> => {
    const request = ++asked;
    for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.days === String(days)));
    numbers.setAttribute("aria-busy", "true");
    try {
      const stats = await royaltiesApi.stats(days, ctx.signal);
      if (request === asked) showStats(numbers, stats);
    } catch (error) {
      if (!ctx.signal.aborted) ctx.say(`Your streams could not be loaded: ${(error as Error).message}`);
    } finally {
      if (request === asked) numbers.removeAttribute("aria-busy");
    }
  };
  buttons.forEach((button, i) => button.addEventListener("click", () => void choose(PERIODS[i])));
  return h("div", { class: "portal-periods", role: "group", "aria-label": "Period" }, buttons);
}

function showStats(numbers: HTMLElement, stats: ArtistStats): void {
  const period = h("p", { class: "meta", "data-testid": "period-dates" }, `${dayLabel(stats.since)} – ${dayLabel(stats.until)}`);
  if (!stats.streams) {
    numbers.replaceChildren(period, h("p", { class: "empty", "data-testid": "empty" }, "No streams yet."));
    return;
  }
  numbers.replaceChildren(
    period,
    h(
      "dl",
      { class: "portal-totals" },
      total("Streams", stats.streams, "total-streams"),
      total("Listeners", stats.listeners, "total-listeners"),
    ),
    dayChart(stats),
    h("h2", {}, "Markets"),
    table("market-table", ["Market", "Streams", "Listeners"], stats.markets.map((m) => ({ key: m.market, cells: [marketName(m.market), number(m.streams), number(m.listeners)] }))),
    h("h2", {}, "Top tracks"),
    table("top-tracks", ["#", "Track", "Streams", "Listeners"], stats.top_tracks.map((t, i) => ({ key: t.track_id, cells: [String(i + 1), t.name || "Unknown track", number(t.streams), number(t.listeners)] }))),
  );
}

function total(label: string, value: number, testid: string): HTMLElement {
  return h("div", {}, h("dt", {}, label), h("dd", { "data-testid": testid }, number(value)));
}

/** A bar for each day of the period, days without streams too. */
function dayChart(stats: ArtistStats): HTMLElement {
  const days = everyDay(stats);
  const most = Math.max(...days.map((d) => d.streams), 1);
  const bars = days.map((d, i) => {
    const height = d.streams ? Math.max((96 * d.streams) / most, 2) : 0;
    const bar = svg("rect", { x: i * 10 + 1, y: 100 - height, width: 8, height, rx: 1.5 });
    bar.append(svg("title", {}, `${dayLabel(d.day)}: ${count(d.streams, "stream")}, ${count(d.listeners, "listener")}`));
    return bar;
  });
  const chart = svg("svg", { viewBox: `0 0 ${days.length * 10} 100`, preserveAspectRatio: "none", class: "portal-chart", role: "img", "data-testid": "streams-chart", "aria-label": "Streams per day" }, ...bars);
  return h("figure", { class: "portal-chart-box" }, chart, h("figcaption", { class: "meta" }, "Streams per day (UTC)"));
}

function everyDay(stats: ArtistStats): DayStreams[] {
  const known = new Map(stats.days.map((d) => [d.day, d]));
  const out: DayStreams[] = [];
  for (let at = Date.parse(stats.since); at <= Date.parse(stats.until); at += DAY_MS) {
    const day = new Date(at).toISOString().slice(0, 10);
    out.push(known.get(day) ?? { day, streams: 0, listeners: 0 });
  }
  return out;
}

// ---- statements ------------------------------------------------------------------------------

function statementList(entries: StatementEntry[], opened: HTMLElement, ctx: PageContext): HTMLElement {
  if (!entries.length) return h("p", { class: "empty", "data-testid": "empty" }, "No statements yet.");
  const rows = entries.map((entry) =>
    h(
      "button",
      { class: "statement-row", type: "button", "data-testid": "statement-row", "data-month": entry.month, "data-rightsholder": entry.rightsholder.id, "aria-expanded": "false" },
      h("span", { class: "s-month" }, monthLabel(entry.month)),
      h("span", { class: "s-holder" }, entry.rightsholder.name),
      h("span", { class: "s-streams" }, count(entry.streams, "stream")),
      h("span", { class: "s-amount", "data-testid": "statement-amount" }, money(entry.amount_minor, entry.currency)),
      entry.provisional ? provisionalBadge() : h("span", { class: "s-final" }, "Final"),
    ),
  );
  rows.forEach((row, i) => row.addEventListener("click", () => void open(entries[i], row)));
  async function open(entry: StatementEntry, row: HTMLElement): Promise<void> {
    for (const other of rows) other.setAttribute("aria-expanded", String(other === row));
    opened.hidden = false;
    opened.replaceChildren(h("p", { class: "loading" }, "Loading…"));
    try {
      const statement = await royaltiesApi.statement(entry.month, entry.rightsholder.id, ctx.signal);
      const names = await trackNames(statement.lines, ctx.signal);
      if (row.getAttribute("aria-expanded") === "true") opened.replaceChildren(...statementNodes(statement, names));
    } catch (error) {
      if (ctx.signal.aborted) return;
      opened.replaceChildren(h("p", { class: "empty", role: "alert" }, `This statement could not be loaded: ${(error as Error).message}`));
    }
  }
  return h("div", { class: "statement-list", "data-testid": "statement-list" }, rows);
}

function statementNodes(statement: Statement, names: Map<string, string>): Node[] {
  const biggest = statement.lines.slice().sort((a, b) => b.amount_minor - a.amount_minor || b.streams - a.streams);
  const lines = biggest.map((line) => ({
    key: line.track_id,
    cells: [names.get(line.track_id) ?? "Unknown track", marketName(line.market), productName(line.product), number(line.streams), money(line.amount_minor, line.currency)],
  }));
  return [
    h("h2", { "data-testid": "statement-title" }, `${statement.rightsholder.name} · ${monthLabel(statement.month)}`),
    h(
      "p",
      { class: "meta" },
      statement.provisional ? provisionalBadge() : null,
      statement.provisional ? " The month is still open: these figures may change in its final run. " : "",
      `Run ${statement.run}.`,
    ),
    h("dl", { class: "portal-totals" }, statement.totals.map((t) => h("div", {}, h("dt", {}, count(t.streams, "stream")), h("dd", { "data-testid": "statement-total" }, money(t.amount_minor, t.currency))))),
    table("statement-lines", ["Track", "Market", "Plan", "Streams", "Amount"], lines),
  ];
}

/** The tracks' names, asked 50 ids at a time; a track gone from the catalog has none. */
async function trackNames(lines: StatementLine[], signal: AbortSignal): Promise<Map<string, string>> {
  const ids = [...new Set(lines.map((line) => line.track_id))];
  const tracks = await api.tracks(ids, signal);
  return new Map(tracks.map((track) => [track.id, track.name]));
}

function provisionalBadge(): HTMLElement {
  return h("span", { class: "badge provisional", "data-testid": "provisional" }, "Provisional");
}

// ---- small pieces ----------------------------------------------------------------------------

interface Row {
  key: string;
  cells: string[];
}

/** A table whose last two columns are numbers (streams, listeners or an amount). */
function table(testid: string, headings: string[], rows: Row[]): HTMLElement {
  const numeric = (i: number): string | null => (i >= headings.length - 2 ? "n" : null);
  const head = h("tr", {}, headings.map((text, i) => h("th", { scope: "col", class: numeric(i) }, text)));
  const body = rows.map((row) =>
    h("tr", { "data-testid": "row", "data-key": row.key }, row.cells.map((text, i) => h("td", { class: numeric(i) }, text))),
  );
  return h("table", { class: "portal-table", "data-testid": testid }, h("thead", {}, head), h("tbody", {}, body));
}

/** Minor units as major, in the currency's own decimals (two for öre and cents). */
function money(minor: number, currency: string): string {
  const format = new Intl.NumberFormat(undefined, { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

function number(n: number): string {
  return n.toLocaleString();
}

const regions = new Intl.DisplayNames(undefined, { type: "region" });

function marketName(code: string): string {
  let name: string | undefined;
  try {
    name = regions.of(code);
  } catch {
    name = undefined; // not a region code
  }
  return name && name !== code ? `${name} (${code})` : code;
}

function productName(product: string): string {
  return product === "premium" ? "Premium" : product === "free" ? "Free" : product;
}

function monthLabel(month: string): string {
  const [year, number] = month.split("-").map(Number);
  return new Date(Date.UTC(year, number - 1, 1)).toLocaleDateString(undefined, { month: "long", year: "numeric", timeZone: "UTC" });
}

function dayLabel(day: string): string {
  return new Date(Date.parse(day)).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

function svg(tag: string, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElement {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  element.append(...children);
  return element;
}
