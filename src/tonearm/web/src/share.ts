// The share dialog: a public link to a playlist, album or track (POST /v1/shares), which may
// expire; once made, its URL with a copy button.
import { ApiError } from "./api";
import { h, openDialog } from "./dom";
import { libraryApi, type Share, type ShareableKind } from "./library-api";

const EXPIRIES: [label: string, seconds: number | null][] = [
  ["Never", null],
  ["In 1 hour", 3600],
  ["In 1 day", 86_400],
  ["In 7 days", 7 * 86_400],
];

export interface Shareable {
  kind: ShareableKind;
  id: string;
  name: string;
}

function problem(error: unknown): string {
  if (error instanceof ApiError && error.status === 404) {
    return "Share links are not available on this server yet (it has no /v1/shares).";
  }
  return `The link could not be made: ${(error as Error).message}`;
}

function linkView(share: Share): HTMLElement {
  const url = h("input", {
    type: "text",
    readonly: true,
    value: share.url,
    "aria-label": "Share link",
    "data-testid": "share-url",
  });
  const copied = h("span", { class: "share-copied", role: "status", "data-testid": "share-copied" });
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(share.url);
      copied.textContent = "Copied.";
    } catch {
      // No clipboard access (an insecure page, or refused): the text is selected to copy by hand.
      url.select();
      copied.textContent = "Press Ctrl+C to copy.";
    }
  };
  const expiry = share.expires_at ? `Expires ${new Date(share.expires_at).toLocaleString()}.` : "Does not expire.";
  return h(
    "div",
    { class: "share-result" },
    h("div", { class: "share-row" }, url, h("button", { class: "pill small primary", type: "button", "data-testid": "share-copy", onclick: () => void copy() }, "Copy")),
    h("p", { class: "meta", "data-testid": "share-expiry" }, expiry, " ", copied),
  );
}

export function openShare(item: Shareable): void {
  const select = h(
    "select",
    { "data-testid": "share-expiry-select", "aria-label": "Link expires" },
    EXPIRIES.map(([label], index) => h("option", { value: index }, label)),
  );
  const result = h("div", { "data-testid": "share-result" });
  const create = h("button", { class: "pill primary", type: "submit", "data-testid": "share-create" }, "Create link");
  const form = h(
    "form",
    { class: "dialog-form" },
    h("label", { class: "field" }, h("span", {}, "Link expires"), select),
    h("div", { class: "dialog-actions" }, create, h("button", { class: "pill", type: "button", onclick: () => dialog.close() }, "Close")),
  );
  const dialog = openDialog(
    `Share ${item.name}`,
    "share-dialog",
    h("h2", {}, `Share “${item.name}”`),
    h("p", { class: "meta" }, `Anyone with the link can open this ${item.kind}.`),
    form,
    result,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const seconds = EXPIRIES[Number(select.value)][1];
    create.disabled = true;
    result.replaceChildren(h("p", { class: "loading" }, "Making the link…"));
    libraryApi
      .share(item.kind, item.id, seconds)
      .then((share) => result.replaceChildren(linkView(share)))
      .catch((error) =>
        result.replaceChildren(h("p", { class: "form-error", role: "alert", "data-testid": "share-error" }, problem(error))),
      )
      .finally(() => (create.disabled = false));
  });
}
