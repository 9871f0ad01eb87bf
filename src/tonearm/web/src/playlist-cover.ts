// A playlist's cover, changed by its owner: the cover on the playlist page is a button that opens
// a file picker. A file that is not a JPEG, or is larger than the server takes (256 KB, as
// Spotify), is refused here with a reason before anything is sent; one that is sent shows at
// once, from the file itself, until the server's copy is shown.
import { h } from "./dom";

/** The largest JPEG the server keeps as a cover. */
export const MAX_COVER_BYTES = 256 * 1024;

/** A file the player will not send as a cover, and why. */
export class CoverRefused extends Error {
  override name = "CoverRefused";
}

function kb(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KB`;
}

/** Every JPEG starts with the SOI marker and the next marker's 0xFF: the file's name and the
 * type the browser guesses from it say nothing of what it is. */
function isJpeg(head: Uint8Array): boolean {
  return head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
}

function base64Of(bytes: Uint8Array): string {
  const parts: string[] = [];
  // String.fromCharCode takes its arguments on the stack: a few KB at a time.
  for (let at = 0; at < bytes.length; at += 0x2000) {
    parts.push(String.fromCharCode(...bytes.subarray(at, at + 0x2000)));
  }
  return btoa(parts.join(""));
}

/** The cover as the server takes it (base64), or CoverRefused saying what is wrong with it. */
export async function coverPayload(file: File): Promise<string> {
  if (file.size === 0) throw new CoverRefused(`“${file.name}” is empty.`);
  if (file.size > MAX_COVER_BYTES) {
    throw new CoverRefused(`“${file.name}” is ${kb(file.size)}: a cover may be at most ${kb(MAX_COVER_BYTES)}.`);
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (!isJpeg(bytes)) throw new CoverRefused(`“${file.name}” is not a JPEG: a cover must be a JPEG image.`);
  return base64Of(bytes);
}

/**
 * The cover `art` as a button that asks for a JPEG (the playlist page's owner sees it): `chosen`
 * gets the file picked. Its overlay says what a click does.
 */
export function coverButton(art: HTMLElement, chosen: (file: File) => void): HTMLElement {
  const input = h("input", { type: "file", accept: "image/jpeg", hidden: true, "data-testid": "cover-file" });
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    input.value = ""; // the same file picked again is a change again
    if (file) chosen(file);
  });
  const button = h(
    "button",
    { class: "cover-button", type: "button", title: "Change cover", "aria-label": "Change cover", "data-testid": "change-cover", onclick: () => input.click() },
    art,
    h("span", { class: "cover-edit", "aria-hidden": "true" }, h("span", { class: "cover-edit-icon" }, "✎"), "Change cover"),
  );
  return h("div", { class: "cover-slot" }, button, input);
}
