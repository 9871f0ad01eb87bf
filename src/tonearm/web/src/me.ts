// Who is signed in, asked once per sign-in: pages that show "yours" (the playlists you own, the
// edit buttons) need the id, and should not each ask /v1/me for it.
import { api, type Me } from "./api";

let current: Promise<Me> | null = null;

export function me(): Promise<Me> {
  if (!current) {
    current = api.me();
    current.catch(() => (current = null));
  }
  return current;
}

/** After a sign-in or sign-out: the next caller asks again. */
export function forgetMe(): void {
  current = null;
}
