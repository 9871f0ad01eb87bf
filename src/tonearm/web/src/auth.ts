// Signing in: OAuth 2.0 authorization code with PKCE against the platform's own /authorize and
// /api/token, as the first-party public app `tonearm-web` (no secret, no consent page).
//
//   signIn("login" | "signup")  -> the browser goes to /authorize (or /signup first), keeping the
//                                  PKCE verifier and state in sessionStorage (this tab only)
//   finishSignIn()              -> back on "/?code=&state=": the state is checked, the code
//                                  exchanged, the URL cleaned
//   accessToken() / recover()   -> the bearer token for /v1, refreshed shortly before it
//                                  expires, or after a 401
//   signOut()                   -> tokens forgotten and revoked (/api/revoke), then POST /logout
//                                  ends the server session
//
// Tokens live in localStorage, so every tab shares them. A refresh token works once (the server
// rotates it), so refreshes are serialised across tabs with a Web Lock, and each one first looks
// whether another tab has refreshed already.

const CLIENT_ID = "tonearm-web";
// What the player's pages call needs: playing and its events; the library and following
// (Liked Songs, saved albums, followed artists and people, friends' activity); playlists, private
// and collaborative ones too, and changing them (public and private need a scope each), and
// their covers (ugc-image-upload); the private session (read with playback-state, set with
// modify-playback-state); Home, the made-for-you lists and radio (user-top-read: they are made
// from what the listener plays most).
const SCOPE_NAMES = [
  "user-read-private",
  "user-read-email",
  "streaming",
  "user-read-recently-played",
  "user-top-read",
  "user-library-read",
  "user-library-modify",
  "user-follow-read",
  "user-follow-modify",
  "playlist-read-private",
  "playlist-read-collaborative",
  "playlist-modify-public",
  "playlist-modify-private",
  "user-read-playback-state",
  "user-modify-playback-state",
  "ugc-image-upload",
];
const SCOPES = SCOPE_NAMES.join(" ");
const TOKENS_KEY = "tonearm.auth";
const PENDING_KEY = "tonearm.auth.pending";
/** Refresh when less than this is left, so a token never expires on the way to the server. */
const REFRESH_MARGIN_MS = 60_000;
/** The query parameters the authorization server adds to the redirect URI. */
const ANSWER_PARAMS = ["code", "state", "error", "error_description", "error_uri", "iss"];

interface Tokens {
  access: string;
  refresh: string | null;
  /** Epoch milliseconds. */
  expiresAt: number;
  scope: string;
}

/** What the redirect back from /authorize must match: kept in this tab between the two. */
interface Pending {
  state: string;
  verifier: string;
  /** The route to come back to (the redirect URI is the bare origin). */
  hash: string;
}

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
}

/** Why the player is signed out now, for the page to say; null for a deliberate sign-out. */
export type SignedOutReason = string | null;
type Listener = (reason: SignedOutReason) => void;

export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuthError";
  }
}

const listeners = new Set<Listener>();

/** Called whenever the player signs in or out (also in another tab). */
export function onAuthChange(listener: Listener): void {
  listeners.add(listener);
}

function emit(reason: SignedOutReason): void {
  for (const listener of listeners) listener(reason);
}

// ---- the stored tokens ------------------------------------------------------------------------

function load(): Tokens | null {
  try {
    const tokens = JSON.parse(localStorage.getItem(TOKENS_KEY) ?? "null") as Tokens | null;
    return tokens && typeof tokens.access === "string" ? tokens : null;
  } catch {
    return null;
  }
}

function save(answer: TokenAnswer, previous: Tokens | null): Tokens {
  if (!answer.access_token) throw new AuthError("the token answer has no access token");
  const tokens: Tokens = {
    access: answer.access_token,
    // A server may keep the refresh token as it is and not send it again.
    refresh: answer.refresh_token ?? previous?.refresh ?? null,
    expiresAt: Date.now() + (answer.expires_in ?? 3600) * 1000,
    scope: answer.scope ?? previous?.scope ?? "",
  };
  localStorage.setItem(TOKENS_KEY, JSON.stringify(tokens));
  return tokens;
}

function forget(reason: SignedOutReason): void {
  const had = load() !== null;
  localStorage.removeItem(TOKENS_KEY);
  if (had) emit(reason);
}

export function signedIn(): boolean {
  return load() !== null;
}

/** Whether the stored sign-in allows everything the player asks for: one made by an older
 * player may lack what newer pages need (a server that names no scopes is taken at its word). */
export function grantsEveryScope(): boolean {
  const tokens = load();
  if (!tokens?.scope) return true;
  const granted = new Set(tokens.scope.split(" "));
  return SCOPE_NAMES.every((name) => granted.has(name));
}

// Another tab signed in or out: this one follows. (Its refreshes change the value only.)
window.addEventListener("storage", (event) => {
  if (event.key !== TOKENS_KEY && event.key !== null) return;
  if ((event.oldValue === null) !== (event.newValue === null) || event.key === null) {
    emit(signedIn() ? null : "Signed out in another tab.");
  }
});

// ---- PKCE ---------------------------------------------------------------------------------------

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomText(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

// ---- the redirect there and back ------------------------------------------------------------

function redirectUri(): string {
  return `${location.origin}/`;
}

/** Send the browser to sign in (or first to sign up), to come back here with a code. */
export async function signIn(mode: "login" | "signup"): Promise<void> {
  // crypto.subtle exists only in secure contexts: https, or http on localhost / 127.0.0.1.
  if (!crypto.subtle) throw new AuthError("signing in needs a secure connection (https)");
  const pending: Pending = { state: randomText(16), verifier: randomText(32), hash: location.hash };
  const params = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    scope: SCOPES,
    state: pending.state,
    code_challenge: await challengeOf(pending.verifier),
    code_challenge_method: "S256",
  });
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const authorize = `/authorize?${params}`;
  // The sign-up page signs the new account in and then goes on to `next`, as the login page does.
  location.assign(mode === "signup" ? `/signup?${new URLSearchParams({ next: authorize })}` : authorize);
}

function takePending(): Pending | null {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  try {
    return raw ? (JSON.parse(raw) as Pending) : null;
  } catch {
    return null;
  }
}

/** The page's URL without the authorization answer, and with the route it started from. */
function cleanUrl(hash: string): string {
  const params = new URLSearchParams(location.search);
  for (const name of ANSWER_PARAMS) params.delete(name);
  const query = params.toString();
  return `${location.pathname}${query ? `?${query}` : ""}${hash || location.hash}`;
}

async function postToken(form: Record<string, string>): Promise<{ status: number; body: TokenAnswer }> {
  const response = await fetch("/api/token", {
    method: "POST",
    headers: { Accept: "application/json" },
    body: new URLSearchParams({ ...form, client_id: CLIENT_ID }),
  });
  let body: TokenAnswer = {};
  try {
    body = (await response.json()) as TokenAnswer;
  } catch {
    // not JSON: judged by the status alone
  }
  return { status: response.status, body };
}

/**
 * Finish a sign-in if this page is the redirect back from /authorize: check the state, exchange
 * the code, clean the URL. Resolves to a message for the user when it failed, else null (also
 * when there was nothing to finish).
 */
export async function finishSignIn(): Promise<string | null> {
  const answer = new URLSearchParams(location.search);
  const code = answer.get("code");
  const error = answer.get("error");
  if (code === null && error === null) return null;
  const pending = takePending();
  // At once, so that a reload neither resends the code nor shows it.
  history.replaceState(history.state, "", cleanUrl(pending?.hash ?? ""));
  if (!pending || answer.get("state") !== pending.state) {
    return "Sign-in did not complete: the answer did not match a request from this tab. Please try again.";
  }
  if (error !== null) {
    return error === "access_denied"
      ? "Sign-in was cancelled."
      : `Sign-in failed: ${answer.get("error_description") ?? error}`;
  }
  try {
    const { status, body } = await postToken({
      grant_type: "authorization_code",
      code: code ?? "",
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    });
    if (status !== 200) return `Sign-in failed: ${body.error_description ?? body.error ?? `HTTP ${status}`}`;
    save(body, null);
  } catch (failed) {
    return `Sign-in failed: ${(failed as Error).message}`;
  }
  return null;
}

// ---- access tokens ------------------------------------------------------------------------------

/** Run `task` alone: across tabs where Web Locks exist, else within this tab. */
let queue: Promise<unknown> = Promise.resolve();
function exclusive<T>(task: () => Promise<T>): Promise<T> {
  // Web Locks hold the lock until the callback's promise settles.
  if (navigator.locks) return navigator.locks.request("tonearm.auth.refresh", task) as Promise<T>;
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

/**
 * A new access token in place of `stale` (unless another caller or tab has replaced it already).
 * Null when the session is over: the refresh token was refused, and the player is signed out.
 */
function refreshed(stale: string): Promise<string | null> {
  return exclusive(async () => {
    const tokens = load();
    if (!tokens) return null;
    if (tokens.access !== stale && tokens.expiresAt - Date.now() > REFRESH_MARGIN_MS) return tokens.access;
    if (!tokens.refresh) {
      forget("Your session has ended. Sign in again to keep listening.");
      return null;
    }
    const { status, body } = await postToken({ grant_type: "refresh_token", refresh_token: tokens.refresh });
    if (status === 400 || status === 401) {
      // invalid_grant: the refresh token expired, was revoked, or was used already.
      forget("Your session has ended. Sign in again to keep listening.");
      return null;
    }
    if (status !== 200) throw new AuthError(body.error_description ?? `the token service answered ${status}`);
    return save(body, tokens).access;
  });
}

/** The bearer token for the next /v1 request, refreshed first if it is about to expire; null
 * when signed out. */
export async function accessToken(): Promise<string | null> {
  const tokens = load();
  if (!tokens) return null;
  const left = tokens.expiresAt - Date.now();
  if (left > REFRESH_MARGIN_MS) return tokens.access;
  try {
    return await refreshed(tokens.access);
  } catch (error) {
    // The token service is unreachable for now: a token that still works is used meanwhile.
    if (left > 0) return tokens.access;
    throw error;
  }
}

/** The stored access token as it is, without refreshing it (null when signed out or expired):
 * for a request that must go out at once, as a beacon when the page is closing. */
export function storedAccessToken(): string | null {
  const tokens = load();
  return tokens && tokens.expiresAt > Date.now() ? tokens.access : null;
}

/** After a 401 for `rejected`: the token to retry with, or null if there is none (signed out). */
export async function recover(rejected: string): Promise<string | null> {
  return refreshed(rejected);
}

/** A 401 even with a fresh token: the session is not usable any more. */
export function sessionLost(): void {
  forget("Your session has ended. Sign in again to keep listening.");
}

/** Forget the tokens (the page updates at once), then end the server's session too, so that
 * the next sign-in asks for the password again. */
export async function signOut(): Promise<void> {
  const held = load();
  forget(null);
  try {
    if (held?.refresh) {
      // RFC 7009: the refresh token (and its access token) stop working on the server too.
      await fetch("/api/revoke", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: held.refresh, client_id: CLIENT_ID }),
      });
    }
    await fetch("/logout", { method: "POST", redirect: "manual", credentials: "same-origin" });
  } catch {
    // Offline: the tokens are gone already; the session cookie ends on its own.
  }
}

/** Whether this page is the redirect back from /authorize, still to be finished. */
export function returningFromSignIn(): boolean {
  const answer = new URLSearchParams(location.search);
  return answer.has("code") || answer.has("error");
}
