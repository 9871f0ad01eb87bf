// A popup menu at a point or under a button, with one level of submenus ("Add to playlist ▸"):
// the arrow keys move, Enter or a click chooses, ArrowRight/ArrowLeft open and close a submenu,
// Escape or a click elsewhere closes. One menu is open at a time.
import { h } from "./dom";

export interface MenuItem {
  label: string;
  testid?: string;
  /** What choosing the item does; the menu is closed first. */
  action?: () => void;
  /** The items of its submenu, read when it opens (they may have to be fetched). */
  submenu?: () => Promise<MenuItem[]> | MenuItem[];
  disabled?: boolean;
}

export type MenuPlace = HTMLElement | { x: number; y: number };

/** The open menu: its layer, where the focus goes back to, and the button it drops from. */
let open: { root: HTMLElement; returnTo: HTMLElement | null; trigger: HTMLElement | null } | null = null;

export function closeMenu(): void {
  if (!open) return;
  const { root, returnTo, trigger } = open;
  open = null;
  root.remove();
  trigger?.removeAttribute("aria-expanded");
  returnTo?.focus({ preventScroll: true });
}

/** Open a menu of `items` at `place` (a button it drops from, or where the pointer was). */
export function openMenu(items: MenuItem[], place: MenuPlace, testid = "context-menu"): void {
  closeMenu();
  const returnTo = place instanceof HTMLElement ? place : (document.activeElement as HTMLElement | null);
  const root = h("div", { class: "menu-layer" });
  const trigger = place instanceof HTMLElement ? place : null;
  open = { root, returnTo, trigger };
  const panel = buildPanel(items, testid, null);
  root.append(panel);
  document.body.append(root);
  const box =
    place instanceof HTMLElement ? place.getBoundingClientRect() : new DOMRect(place.x, place.y, 0, 0);
  position(panel, box.left, box.bottom + 4, box.top);
  trigger?.setAttribute("aria-expanded", "true");
  focusItem(panel, 0);
}

/** Keep the panel on the screen: flipped above `top` or moved left when it would overflow. */
function position(panel: HTMLElement, left: number, below: number, top: number): void {
  panel.style.left = `${left}px`;
  panel.style.top = `${below}px`;
  const rect = panel.getBoundingClientRect();
  if (rect.right > innerWidth - 8) panel.style.left = `${Math.max(innerWidth - rect.width - 8, 8)}px`;
  if (rect.bottom > innerHeight - 8) panel.style.top = `${Math.max(top - rect.height - 4, 8)}px`;
}

function buttons(panel: HTMLElement): HTMLButtonElement[] {
  return [...panel.querySelectorAll<HTMLButtonElement>(":scope > button:not(:disabled)")];
}

function focusItem(panel: HTMLElement, index: number): void {
  const all = buttons(panel);
  if (all.length) all[(index + all.length) % all.length].focus({ preventScroll: true });
}

function buildPanel(items: MenuItem[], testid: string, parent: HTMLElement | null): HTMLElement {
  const panel = h("div", { class: "menu", role: "menu", "data-testid": testid });
  for (const item of items) panel.append(menuButton(item, panel));
  panel.addEventListener("keydown", (event) => onKey(event, panel, parent));
  return panel;
}

function menuButton(item: MenuItem, panel: HTMLElement): HTMLButtonElement {
  const button = h(
    "button",
    {
      type: "button",
      role: "menuitem",
      class: item.submenu ? "has-submenu" : null,
      "aria-haspopup": item.submenu ? "menu" : null,
      "data-testid": item.testid ?? "menu-item",
      disabled: item.disabled ?? false,
    },
    item.label,
  );
  button.addEventListener("click", () => {
    if (item.submenu) void openSubmenu(item, button, panel, true);
    else {
      closeMenu();
      item.action?.();
    }
  });
  if (item.submenu) button.addEventListener("mouseenter", () => void openSubmenu(item, button, panel));
  else button.addEventListener("mouseenter", () => closeSubmenu(panel));
  return button;
}

const submenus = new WeakMap<HTMLElement, { of: HTMLElement; panel: HTMLElement }>();

async function openSubmenu(item: MenuItem, button: HTMLElement, panel: HTMLElement, focus = false): Promise<void> {
  const shown = submenus.get(panel);
  if (shown?.of === button) {
    if (focus) focusItem(shown.panel, 0);
    return;
  }
  closeSubmenu(panel);
  const root = open?.root;
  if (!root || !item.submenu) return;
  const loading = buildPanel([{ label: "Loading…", disabled: true }], "submenu", panel);
  submenus.set(panel, { of: button, panel: loading });
  root.append(loading);
  const place = (sub: HTMLElement): void => {
    const box = button.getBoundingClientRect();
    sub.style.left = `${box.right + 2}px`;
    sub.style.top = `${box.top - 6}px`;
    const rect = sub.getBoundingClientRect();
    if (rect.right > innerWidth - 8) sub.style.left = `${Math.max(box.left - rect.width - 2, 8)}px`;
    if (rect.bottom > innerHeight - 8) sub.style.top = `${Math.max(innerHeight - rect.height - 8, 8)}px`;
  };
  place(loading);
  button.setAttribute("aria-expanded", "true");
  let items: MenuItem[];
  try {
    items = await item.submenu();
  } catch (error) {
    items = [{ label: `Could not load: ${(error as Error).message}`, disabled: true }];
  }
  // Closed, or another submenu opened, while this one was loading.
  if (submenus.get(panel)?.panel !== loading) return;
  const sub = buildPanel(items.length ? items : [{ label: "Nothing here yet", disabled: true }], "submenu", panel);
  loading.replaceWith(sub);
  submenus.set(panel, { of: button, panel: sub });
  place(sub);
  if (focus) focusItem(sub, 0);
}

function closeSubmenu(panel: HTMLElement): void {
  const shown = submenus.get(panel);
  if (!shown) return;
  submenus.delete(panel);
  shown.of.removeAttribute("aria-expanded");
  shown.panel.remove();
}

function onKey(event: KeyboardEvent, panel: HTMLElement, parent: HTMLElement | null): void {
  const all = buttons(panel);
  const at = all.indexOf(document.activeElement as HTMLButtonElement);
  const key = event.key;
  if (key === "ArrowDown" || key === "ArrowUp") focusItem(panel, at + (key === "ArrowDown" ? 1 : -1));
  else if (key === "Home" || key === "End") focusItem(panel, key === "Home" ? 0 : -1);
  else if (key === "ArrowRight" && all[at]?.classList.contains("has-submenu")) all[at].click();
  else if (key === "ArrowLeft" && parent) {
    const owner = submenus.get(parent)?.of;
    closeSubmenu(parent);
    owner?.focus();
  } else if (key === "Escape") closeMenu();
  else if (key === "Tab") closeMenu();
  else return;
  event.preventDefault();
  event.stopPropagation();
}

// A click elsewhere, a scroll of the page or another route closes the menu.
document.addEventListener("pointerdown", (event) => {
  if (open && !(event.target instanceof Node && open.root.contains(event.target))) closeMenu();
});
window.addEventListener("hashchange", closeMenu);
window.addEventListener("resize", closeMenu);
