// The player: a queue (queue.ts), two decks (deck.ts: a media element with its own hls.js
// each), the rung picker they share (abr.ts), the gapless join between them (gapless.ts), and
// one Web Audio graph:
//
//   deck A <audio> -> MediaElementSource -> DelayNode -> loudness GainNode --\
//                                                                             >- volume -> out
//   deck B <audio> -> MediaElementSource -> DelayNode -> loudness GainNode --/
//
// Loudness gain = 10^(gain_db/20) from the manifest, volume = the user's slider.
//
// What it plays is told to an observer (reporter.ts), which makes the playback events.
import { Abr } from "./abr";
import { api, type Manifest, type Product } from "./api";
import { qualityLabel } from "./codecs";
import { Deck, type DeckHost } from "./deck";
import { Gapless, type GaplessHost, type JoinRecord } from "./gapless";
import type { Hls } from "./hlsx";
import { Queue, type QueueItem } from "./queue";
import type { LeaveCause, PlaybackObserver, PlaybackSource } from "./reporter";

export { codecName } from "./codecs";
export type { JoinRecord } from "./gapless";
export type { QueueItem } from "./queue";

export interface PlayerState {
  trackId: string | null;
  title: string | null;
  artists: string | null;
  albumId: string | null;
  currentTime: number;
  duration: number;
  paused: boolean;
  loading: boolean;
  quality: string | null;
  codec: string | null;
  level: number;
  levels: string[];
  autoLevel: boolean;
  volume: number;
  gain: number;
  queueIndex: number;
  queueLength: number;
  joins: JoinRecord[];
  error: string | null;
}

type Listener = () => void;

export class Player implements PlaybackSource {
  readonly decks: [Deck, Deck];
  private cur = 0;
  readonly tracks = new Queue();
  /** The signed-in user's tier (from /v1/me): the server decides the renditions by it, so a
   * change means new manifests. */
  product: Product | null = null;
  readonly abr = new Abr();
  private readonly gapless: Gapless;
  private context: AudioContext | null = null;
  private volumeNode: GainNode | null = null;
  private volume: number;
  private listeners = new Set<Listener>();
  private manifests = new Map<string, Manifest>();
  private wantPlay = false;
  /** Test hook: sees every hls.js instance a deck makes, before it loads anything. */
  onHls: ((hls: Hls, deck: string) => void) | null = null;
  /** Told when plays end, pause, resume or seek (the playback events' reporter). */
  observer: PlaybackObserver | null = null;
  error: string | null = null;

  constructor(volume: number) {
    this.volume = volume;
    const deckHost: DeckHost = {
      abr: this.abr,
      hlsCreated: (hls, deck) => this.onHls?.(hls, deck.name),
      changed: () => this.emit(),
      failed: (deck, message) => this.fail(deck, message),
      reload: (deck, at) => {
        // The signed URLs may have expired: a fresh manifest brings fresh signatures.
        this.manifests.delete(deck.item?.id ?? "");
        const playing = deck === this.current && this.wantPlay;
        void this.load(deck, deck.index, playing, at);
      },
    };
    this.decks = [new Deck("a", deckHost), new Deck("b", deckHost)];
    for (const deck of this.decks) this.watch(deck);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const player = this;
    const gaplessHost: GaplessHost = {
      get context() {
        return player.context;
      },
      get current() {
        return player.current;
      },
      get other() {
        return player.other;
      },
      get wantPlay() {
        return player.wantPlay;
      },
      queue: this.tracks,
      makeCurrent: (deck) => {
        this.cur = this.decks.indexOf(deck);
        this.tracks.index = deck.index;
      },
      prefetch: (deck, index) => void this.load(deck, index, false, 0),
      startDeck: (deck) => this.startDeck(deck),
      changed: () => this.emit(),
      joined: (from, to, endCtx) => this.observer?.joined(from, to, endCtx),
      joinUndone: () => this.observer?.joinUndone(),
    };
    this.gapless = new Gapless(gaplessHost);
    const loop = (): void => {
      this.tick();
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
    // rAF stops in background tabs; a timer keeps things going there, more coarsely.
    setInterval(() => this.tick(), 100);
  }

  // ---- public API -------------------------------------------------------------------------

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get current(): Deck {
    return this.decks[this.cur];
  }

  private get other(): Deck {
    return this.decks[1 - this.cur];
  }

  /** The queue's entries (main.ts shows them). */
  get queue(): QueueItem[] {
    return this.tracks.items;
  }

  /** The queue entry playing, -1 for none. */
  get index(): number {
    return this.tracks.index;
  }

  get joins(): JoinRecord[] {
    return this.gapless.joins;
  }

  /** Whether the user wants it playing (it may still be loading). */
  get wantsPlay(): boolean {
    return this.wantPlay;
  }

  get contextTime(): number | null {
    return this.context ? this.context.currentTime : null;
  }

  /** Replace the queue and play entry `start`. */
  playQueue(items: QueueItem[], start: number): void {
    this.tracks.replace(items);
    this.playIndex(start);
  }

  /** Add entries at the end of the queue (a radio's next page), playing on as it was. */
  appendToQueue(items: QueueItem[]): void {
    this.tracks.append(items);
    this.emit();
  }

  toggle(): void {
    const deck = this.current;
    if (!deck.item) {
      if (this.tracks.length) this.playIndex(Math.max(this.tracks.index, 0));
      return;
    }
    if (this.wantPlay) this.pause();
    else this.resume();
  }

  resume(): void {
    const deck = this.current;
    if (!deck.item) return;
    this.ensureAudio();
    this.wantPlay = true;
    if (deck.ready) {
      if (deck.audio.ended || deck.audio.currentTime >= deck.endAt - 0.01) {
        deck.audio.currentTime = deck.startAt;
      }
      this.startDeck(deck);
    } else {
      deck.onReady = () => this.startDeck(deck);
    }
    this.observer?.resumed();
    this.emit();
  }

  pause(): void {
    this.wantPlay = false;
    this.gapless.abort();
    this.observer?.paused();
    this.current.audio.pause();
    this.emit();
  }

  next(): void {
    const next = this.tracks.nextIndex();
    if (next >= 0) this.playIndex(next);
  }

  previous(): void {
    const deck = this.current;
    if (deck.item && deck.audio.currentTime - deck.startAt > 3) {
      this.seek(0);
      return;
    }
    if (this.tracks.index > 0) this.playIndex(this.tracks.index - 1);
    else this.seek(0);
  }

  seek(seconds: number): void {
    const deck = this.current;
    if (!deck.item) return;
    this.gapless.abort();
    const duration = this.duration();
    const t = Math.min(Math.max(seconds, 0), Math.max(duration - 0.05, 0));
    this.observer?.seeking();
    if (deck.ready || deck.hls) deck.audio.currentTime = deck.startAt + t;
    else deck.at = t;
    this.observer?.sought();
    this.emit();
  }

  setVolume(volume: number): void {
    this.volume = Math.min(Math.max(volume, 0), 1);
    if (this.volumeNode) this.volumeNode.gain.value = this.volume;
    this.emit();
  }

  setProduct(product: Product): void {
    if (product === this.product) return;
    const known = this.product !== null;
    this.product = product;
    if (!known) return; // the first word on the tier: the manifests so far were made for it
    this.manifests.clear();
    this.gapless.abort();
    if (!this.other.draining) this.other.reset();
    const deck = this.current;
    if (deck.item && this.tracks.index >= 0) {
      const at = Math.max(deck.audio.currentTime - deck.startAt, 0);
      void this.load(deck, this.tracks.index, this.wantPlay, at);
    }
    this.emit();
  }

  /** Stop, and forget the queue and its manifests (on sign-out: they were the user's). */
  stop(): void {
    this.wantPlay = false;
    this.gapless.abort();
    this.observer?.leaving("end");
    for (const deck of this.decks) deck.reset();
    this.tracks.clear();
    this.error = null;
    this.product = null;
    this.manifests.clear();
    this.emit();
  }

  /** Play queue entry `index` now, on whichever deck has it ready, else load it. `cause`: why
   * the track playing stops (the user moved on, or it ended). */
  playIndex(index: number, cause: LeaveCause = "skip"): void {
    if (!this.tracks.has(index)) return;
    this.ensureAudio();
    this.gapless.abort();
    this.observer?.leaving(cause);
    this.wantPlay = true;
    this.error = null;
    const other = this.other;
    const prepared =
      other.index === index && other.item?.id === this.tracks.at(index).id && !other.draining;
    if (prepared && !other.started) {
      this.current.reset();
      this.cur = 1 - this.cur;
      this.tracks.index = index;
      other.setGain(other.trackGain());
      other.setDelay(0);
      if (other.ready) this.startDeck(other);
      else other.onReady = () => this.startDeck(other);
      this.emit();
      return;
    }
    if (!other.draining) other.reset();
    this.tracks.index = index;
    void this.load(this.current, index, true, 0);
    this.emit();
  }

  state(): PlayerState {
    const deck = this.current;
    const hls = deck.hls;
    const codec = deck.levelCodec();
    const levels = hls
      ? hls.levels.map((level) => {
          const rendition = deck.rendition(level.audioCodec ?? null);
          return qualityLabel(level.audioCodec ?? "?", rendition ? rendition.bitrate : level.bitrate);
        })
      : [];
    const level = hls ? hls.currentLevel : -1;
    const fileRendition = !hls && deck.manifest ? deck.rendition("aac") : null;
    return {
      trackId: deck.item?.id ?? null,
      title: deck.item?.name ?? null,
      artists: deck.item?.artists ?? null,
      albumId: deck.item?.albumId ?? null,
      currentTime: deck.position,
      duration: this.duration(),
      paused: !deck.item || deck.audio.paused,
      loading: deck.loading || (this.wantPlay && !!deck.item && !deck.ready),
      quality:
        level >= 0
          ? (levels[level] ?? null)
          : fileRendition
            ? qualityLabel(fileRendition.codec, fileRendition.bitrate)
            : null,
      codec,
      level,
      levels,
      autoLevel: hls ? hls.autoLevelEnabled : false,
      volume: this.volume,
      gain: deck.trackGain() * this.volume,
      queueIndex: this.tracks.index,
      queueLength: this.tracks.length,
      joins: this.gapless.joins.slice(),
      error: this.error,
    };
  }

  duration(): number {
    const deck = this.current;
    if (deck.manifest) return deck.manifest.duration_ms / 1000;
    return (deck.item?.durationMs ?? 0) / 1000;
  }

  audioGraph(): { context: AudioContext | null; output: AudioNode | null } {
    return { context: this.context, output: this.volumeNode };
  }

  /** Create (or resume) the AudioContext; browsers want this inside a user gesture. */
  ensureAudio(): void {
    if (!this.context) {
      const context = new AudioContext({ latencyHint: "playback" });
      this.volumeNode = context.createGain();
      this.volumeNode.gain.value = this.volume;
      this.volumeNode.connect(context.destination);
      this.context = context;
      for (const deck of this.decks) deck.connect(context, this.volumeNode);
    }
    if (this.context.state === "suspended") void this.context.resume();
  }

  // ---- loading ----------------------------------------------------------------------------

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private tick(): void {
    this.gapless.tick();
    this.observer?.tick();
  }

  /** A track's manifest, fetched once while its signed URLs last. (Fetching it is not a play:
   * the reporter says what was played.) */
  private async manifest(trackId: string, prefetch = false): Promise<Manifest> {
    const cached = this.manifests.get(trackId);
    // Signed URLs expire: fetch again when less than two minutes are left.
    if (cached && cached.expires_at * 1000 - Date.now() > 120_000) return cached;
    const manifest = await api.manifest(trackId, undefined, prefetch);
    this.manifests.set(trackId, manifest);
    return manifest;
  }

  /** Load queue entry `index` into `deck` at `at` seconds; start it when ready if `autoplay`. */
  private async load(deck: Deck, index: number, autoplay: boolean, at: number): Promise<void> {
    deck.reset();
    const generation = deck.generation;
    const item = this.tracks.at(index);
    deck.item = item;
    deck.index = index;
    deck.at = at;
    deck.loading = true;
    this.emit();
    let manifest: Manifest;
    try {
      manifest = await this.manifest(item.id, !autoplay);
    } catch (error) {
      if (generation !== deck.generation) return;
      deck.loading = false;
      this.fail(deck, `${item.name}: ${(error as Error).message}`);
      return;
    }
    if (generation !== deck.generation) return;
    deck.manifest = manifest;
    deck.setGain(deck.trackGain());
    if (autoplay) deck.onReady = () => this.startDeck(deck);
    deck.updateBounds();
    const problem = deck.attach(autoplay, at);
    if (problem) {
      deck.loading = false;
      this.fail(deck, `${item.name}: ${problem}`);
    }
  }

  /** What the player does when a deck's element plays, pauses, ends or fails. */
  private watch(deck: Deck): void {
    const audio = deck.audio;
    audio.addEventListener("playing", () => this.emit());
    audio.addEventListener("pause", () => this.emit());
    audio.addEventListener("ended", () => {
      if (deck.draining) {
        this.gapless.finishDraining(deck);
        return;
      }
      if (deck !== this.current) return;
      // No join happened (the next track was not ready in time). A deck that took over in a
      // join still holds its last moments in its delay line when `ended` fires: moving on at
      // once would start the next track over them.
      const held = deck.delaySeconds;
      if (held <= 0) {
        this.advance();
        return;
      }
      const { generation } = deck;
      setTimeout(() => {
        if (deck === this.current && deck.generation === generation && this.wantPlay) this.advance();
      }, held * 1000);
    });
    audio.addEventListener("error", () => {
      if (!deck.item || deck.hls) return;
      this.fail(deck, `${deck.item.name}: the browser could not play it`);
    });
  }

  private startDeck(deck: Deck): void {
    if (!this.wantPlay || deck !== this.current) return;
    this.ensureAudio();
    deck.started = true;
    deck.releaseLevel();
    deck.audio.play().catch((error: Error) => {
      if (error.name === "AbortError") return; // a newer load or a pause came first
      if (deck !== this.current) return;
      this.wantPlay = false;
      this.gapless.abort();
      this.error = error.name === "NotAllowedError" ? "Press play to start" : error.message;
      this.emit();
    });
    this.emit();
  }

  private fail(deck: Deck, message: string): void {
    if (deck !== this.current) {
      // The prefetch failed: the hand-over will load it again and show any error.
      this.gapless.blockPrefetch(deck.index);
      deck.reset();
      return;
    }
    this.error = message;
    deck.loading = false;
    this.emit();
    // Skip to the next track after a moment so one bad track does not stop the queue.
    if (this.wantPlay && this.tracks.hasNext()) {
      const index = this.tracks.index;
      setTimeout(() => {
        if (this.tracks.index === index && this.error === message) this.playIndex(index + 1, "end");
      }, 1500);
    }
  }

  /** The current track ended with no join prepared: the slow path to the next one. */
  private advance(): void {
    if (!this.tracks.hasNext()) {
      this.observer?.leaving("end");
      this.wantPlay = false;
      this.emit();
      return;
    }
    this.playIndex(this.tracks.index + 1, "end");
  }
}
