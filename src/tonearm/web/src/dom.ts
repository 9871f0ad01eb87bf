// A few DOM helpers: elements from tag + attributes + children, with text always as text; covers
// (an image of the size that fits over a generated gradient), times, dialogs.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      element.className = String(value);
    } else if (value === true) {
      element.setAttribute(key, "");
    } else {
      element.setAttribute(key, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children) {
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else if (child !== null && child !== undefined && child !== false) {
      parent.appendChild(document.createTextNode(String(child)));
    }
  }
}

export function $(selector: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(selector);
  if (!element) throw new Error(`missing ${selector}`);
  return element;
}

export function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** A stable small number from a string, for colours. */
export function hash(text: string): number {
  let value = 2166136261;
  for (let i = 0; i < text.length; i++) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 16777619);
  }
  return value >>> 0;
}

export function cover(id: string, label: string): HTMLElement {
  const n = hash(id);
  const a = n % 360;
  const b = (a + 40 + ((n >> 9) % 120)) % 360;
  const angle = (n >> 17) % 360;
  const el = h("div", { class: "cover", "aria-hidden": "true" });
  el.style.background = `linear-gradient(${angle}deg, hsl(${a} 55% 42%), hsl(${b} 60% 22%))`;
  el.textContent = label.trim().charAt(0).toUpperCase();
  return el;
}

/** Where a cover is drawn, in CSS pixels: the image picked for it is at least this wide. */
export const COVER_PX = { hero: 180, card: 200, row: 42, bar: 54 } as const;

type Sized = { url: string; width?: number | null };

/**
 * The image to draw `px` CSS pixels wide: the smallest that is wide enough on this screen,
 * else the widest there is. An image of unknown size (an uploaded cover) is the only one of
 * its kind, and is taken as it is.
 */
export function pickImage<T extends Sized>(images: T[] | undefined, px: number): T | undefined {
  const sized = (images ?? []).filter((image) => typeof image.width === "number" && image.width > 0);
  if (!sized.length) return images?.[0];
  const need = px * (window.devicePixelRatio || 1);
  const bySize = sized.slice().sort((a, b) => (a.width ?? 0) - (b.width ?? 0));
  return bySize.find((image) => (image.width ?? 0) >= need) ?? bySize[bySize.length - 1];
}

/**
 * An album's or a playlist's cover: its image (the size that fits `px`) over the generated
 * cover, which shows while the image loads and stays if it cannot be loaded.
 */
export function artwork(images: Sized[] | undefined, id: string, label: string, px: number): HTMLElement {
  const el = cover(id, label);
  const image = pickImage(images, px);
  if (!image) return el;
  el.classList.add("has-image");
  const img = h("img", { src: image.url, alt: "", decoding: "async", draggable: "false" });
  img.addEventListener("error", () => img.remove());
  el.append(img);
  return el;
}

/** "just now", "3 min ago", "2 h ago", "5 d ago", then the date: how long ago `iso` was. */
export function ago(iso: string, now = Date.now()): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return "";
  const seconds = Math.max((now - at) / 1000, 0);
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 7 * 86400) return `${Math.round(seconds / 86400)} d ago`;
  return new Date(at).toLocaleDateString();
}

/** A modal dialog holding `children`, removed from the page once closed. */
export function openDialog(label: string, testid: string, ...children: (Node | null)[]): HTMLDialogElement {
  const body = h("div", { class: "dialog-body" }, children);
  const dialog = h("dialog", { class: "dialog", "aria-label": label, "data-testid": testid }, body);
  dialog.addEventListener("close", () => dialog.remove());
  // The box is the body inside: a click on the dialog element itself is on the backdrop.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}
