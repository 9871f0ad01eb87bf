// Why an item was recommended, as the server said it: the first reason in small text under the
// item, all of them on hover or focus (the title, and a small popover for keyboard users). The
// player never words a reason of its own.
import { h } from "./dom";
import type { Reason } from "./recs-api";

/** The texts of `reasons`, strongest first, the empty ones left out. */
export function reasonTexts(reasons: Reason[] | undefined): string[] {
  return (reasons ?? []).map((reason) => reason.text).filter(Boolean);
}

/** The note under an item: null when the server gave no reason. */
export function reasonNote(texts: string[] | undefined): HTMLElement | null {
  if (!texts?.length) return null;
  return h(
    "span",
    { class: "reason", "data-testid": "reason", title: texts.join("\n") },
    h("span", { class: "reason-first" }, texts[0]),
    texts.length > 1
      ? h("ul", { class: "reason-all", "data-testid": "reason-all", role: "tooltip" }, texts.map((text) => h("li", {}, text)))
      : null,
  );
}
