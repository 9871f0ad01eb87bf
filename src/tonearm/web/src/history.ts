// A playlist's history: every version, newest first (who changed what, when); choosing one
// shows what has changed since then (added, removed, moved), and can revert to it. A revert is a
// new version, so it shows at the top and can be reverted in turn.
import { api } from "./api";
import { ago, h } from "./dom";
import { playlistApi, type Diff, type DiffEntry, type Snapshot } from "./playlist-api";
import { count } from "./views";

export interface HistoryHost {
  playlistId: string;
  /** The version the page shows. */
  current(): string;
  editable(): boolean;
  /** Names of tracks the page knows already (the ones in the playlist now). */
  knownNames(): Map<string, string>;
  /** Revert to `snapshotId` through the page, which shows the result. */
  revert(snapshotId: string): Promise<boolean>;
}

const DETAIL_NAMES: Record<string, string> = {
  name: "name",
  description: "description",
  public: "visibility",
  collaborative: "collaboration",
};

/** What a version did, in a few words. */
export function describe(snapshot: Snapshot): string {
  const { added, removed, moved } = snapshot;
  switch (snapshot.kind) {
    case "create":
      return "Created the playlist";
    case "add":
      return `Added ${count(added, "track")}`;
    case "remove":
      return `Removed ${count(removed, "track")}`;
    case "reorder":
      return `Moved ${count(moved, "track")}`;
    case "replace":
      return `Replaced the tracks (${added} in, ${removed} out)`;
    case "revert": {
      const parts = [added && `${added} back`, removed && `${removed} out`, moved && `${moved} moved`];
      const what = parts.filter(Boolean).join(", ");
      return what ? `Reverted an earlier change (${what})` : "Reverted an earlier change";
    }
    case "details": {
      const named = Object.keys(snapshot.details).map((key) => DETAIL_NAMES[key] ?? key);
      if ("name" in snapshot.details) return `Renamed it “${String(snapshot.details.name[1])}”`;
      return `Changed its ${named.join(" and ") || "details"}`;
    }
  }
}

function who(snapshot: Snapshot): string {
  if (!snapshot.user) return "A removed account";
  return snapshot.user.display_name || snapshot.user.id;
}

export class HistoryPanel {
  readonly element: HTMLElement;
  private readonly list = h("ol", { class: "history-list", "data-testid": "history-list" });
  private readonly detail = h("div", { class: "history-detail", "data-testid": "history-detail" });
  private readonly note = h("p", { class: "meta", role: "status", "data-testid": "history-status" });
  private snapshots: Snapshot[] = [];
  private selected: string | null = null;
  private reads = 0;
  private readonly names = new Map<string, string>();

  constructor(private readonly host: HistoryHost) {
    this.element = h(
      "section",
      { class: "history", "aria-label": "Version history", "data-testid": "history" },
      h("h2", {}, "History"),
      this.note,
      h("div", { class: "history-body" }, this.list, this.detail),
    );
  }

  /** Read the versions again (the playlist changed, or the panel opened). */
  async reload(): Promise<void> {
    const read = ++this.reads;
    try {
      const snapshots = await playlistApi.snapshots(this.host.playlistId);
      if (read !== this.reads) return;
      this.snapshots = snapshots;
      if (this.selected && !snapshots.some((s) => s.snapshot_id === this.selected)) this.selected = null;
      this.showList();
      await this.showDetail();
    } catch (error) {
      if (read === this.reads) this.note.textContent = `The history could not be read: ${(error as Error).message}`;
    }
  }

  private showList(): void {
    const current = this.host.current();
    this.list.replaceChildren(
      ...this.snapshots.map((snapshot) => {
        const isCurrent = snapshot.snapshot_id === current;
        return h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: "history-item",
              "aria-pressed": String(snapshot.snapshot_id === this.selected),
              "data-testid": "history-item",
              "data-snapshot": snapshot.snapshot_id,
              "data-version": snapshot.version,
              "data-kind": snapshot.kind,
              onclick: () => this.select(snapshot.snapshot_id),
            },
            h("span", { class: "history-what" }, h("b", {}, `v${snapshot.version}`), " ", describe(snapshot), isCurrent ? h("span", { class: "badge" }, "Current") : null),
            h("span", { class: "history-who" }, who(snapshot), " · ", h("time", { datetime: snapshot.at, title: new Date(snapshot.at).toLocaleString() }, ago(snapshot.at))),
          ),
        );
      }),
    );
  }

  private select(snapshotId: string): void {
    this.selected = snapshotId;
    this.note.textContent = "";
    this.showList();
    void this.showDetail();
  }

  private async showDetail(): Promise<void> {
    const chosen = this.snapshots.find((s) => s.snapshot_id === this.selected);
    if (!chosen) {
      this.detail.replaceChildren(h("p", { class: "meta" }, "Choose a version to see what has changed since."));
      return;
    }
    const current = this.host.current();
    if (chosen.snapshot_id === current) {
      this.detail.replaceChildren(h("p", { class: "meta", "data-testid": "diff-summary" }, `Version ${chosen.version} is the current one.`));
      return;
    }
    const read = this.reads;
    let diff: Diff;
    try {
      diff = await playlistApi.diff(this.host.playlistId, chosen.snapshot_id, current);
      await this.learnNames([...diff.added, ...diff.removed, ...diff.moved]);
    } catch (error) {
      this.detail.replaceChildren(h("p", { class: "form-error", role: "alert" }, `Could not compare: ${(error as Error).message}`));
      return;
    }
    if (read !== this.reads || this.selected !== chosen.snapshot_id) return;
    this.detail.replaceChildren(...this.diffView(chosen, diff));
  }

  private async learnNames(entries: DiffEntry[]): Promise<void> {
    for (const [id, name] of this.host.knownNames()) this.names.set(id, name);
    const unknown = [...new Set(entries.map((e) => e.track_id))].filter((id) => !this.names.has(id));
    if (!unknown.length) return;
    for (const track of await api.tracks(unknown)) this.names.set(track.id, track.name);
  }

  private diffView(chosen: Snapshot, diff: Diff): (Node | string)[] {
    const name = (entry: DiffEntry): string => this.names.get(entry.track_id) ?? "A track no longer in the catalog";
    const section = (title: string, testid: string, entries: DiffEntry[], line: (e: DiffEntry) => string): Node | null =>
      entries.length
        ? h("div", { class: `diff-group ${testid}` }, h("h3", {}, title), h("ul", { "data-testid": testid }, entries.map((e) => h("li", { "data-track-id": e.track_id }, line(e)))))
        : null;
    const position = (n: number | null): string => (n === null ? "?" : String(n + 1));
    const same = !diff.added.length && !diff.removed.length && !diff.moved.length;
    const revert = h(
      "button",
      {
        class: "pill primary",
        type: "button",
        "data-testid": "history-revert",
        disabled: !this.host.editable(),
        title: this.host.editable() ? null : "Only the owner and collaborators can revert",
      },
      "Revert to this version",
    );
    revert.addEventListener("click", () => void this.revert(chosen, revert));
    return [
      h("p", { class: "meta", "data-testid": "diff-summary" }, same ? `The tracks are as they were in version ${chosen.version}.` : `Since version ${chosen.version}:`),
      section("Added since", "diff-added", diff.added, (e) => `${name(e)} (at ${position(e.to_position)})`) ?? "",
      section("Removed since", "diff-removed", diff.removed, (e) => `${name(e)} (was at ${position(e.from_position)})`) ?? "",
      section("Moved", "diff-moved", diff.moved, (e) => `${name(e)} (${position(e.from_position)} → ${position(e.to_position)})`) ?? "",
      revert,
    ];
  }

  private async revert(chosen: Snapshot, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    const done = await this.host.revert(chosen.snapshot_id);
    if (!done) {
      button.disabled = false;
      return;
    }
    this.selected = null;
    this.note.textContent = `Reverted to version ${chosen.version}.`;
    await this.reload();
  }
}

