// The player: a queue, two decks (media element + hls.js each) and a Web Audio graph.
//
//   deck A <audio> -> MediaElementSource -> loudness GainNode --\
//                                                                 >-- volume GainNode -> speakers
//   deck B <audio> -> MediaElementSource -> loudness GainNode --/
//
// One deck plays; some seconds before its track ends the other deck fetches the next track's
// manifest and buffers its first segments, paused at the first sample of the track. A timer
// watches the playing deck's clock closely and starts the waiting deck at the moment the
// current track's last real sample (encoder padding excluded) plays, less the measured start-up
// latency of a media element, so the next track begins without a gap and without waiting for
// the `ended` event.
import { api, type Manifest, type Product, type Rendition } from "./api";
import { createHls, Hls } from "./hlsx";

export interface QueueItem {
  id: string;
  name: string;
  artists: string;
  albumId?: string;
  albumName?: string;
  durationMs: number;
}

export interface Quality {
  label: string;
  codec: string;
  bitrate: number;
  level: number;
}

export interface JoinRecord {
  from: string;
  to: string;
  /** When the next track's first sample played relative to the previous track's last one. */
  gapMs: number;
  /** From play() to the first sample, as this join measured it. */
  latencyMs: number;
  /** How early play() was called, from the latency measured before. */
  leadMs: number;
}

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
  volume: number;
  gain: number;
  queueIndex: number;
  queueLength: number;
  joins: JoinRecord[];
  error: string | null;
}

/** Seconds before a track's end at which the next one is prefetched. */
const PREFETCH_AHEAD = 25;
/** Within this many seconds of the end, the start of the next deck is put on a timer. */
const JOIN_HORIZON = 0.3;
/** First guess of a media element's start-up latency, before one is measured (ms). */
const INITIAL_LATENCY_MS = 20;
const MAX_LATENCY_MS = 150;

export function codecName(codec: string): string {
  const c = codec.toLowerCase();
  if (c.startsWith("mp4a") || c === "aac") return "AAC";
  if (c.startsWith("opus")) return "Opus";
  if (c.startsWith("flac")) return "FLAC";
  if (c.startsWith("vorbis")) return "Vorbis";
  if (c.startsWith("mp3") || c === "mp4a.40.34") return "MP3";
  return codec;
}

function familyOf(codec: string): string {
  return codecName(codec).toLowerCase();
}

function qualityLabel(codec: string, bitrate: number): string {
  const name = codecName(codec);
  if (name === "FLAC" || bitrate === 0) return `${name} lossless`;
  return `${name} ${Math.round(bitrate / 1000)} kbps`;
}

function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}

type Listener = () => void;

class Deck {
  readonly audio: HTMLAudioElement;
  hls: Hls | null = null;
  item: QueueItem | null = null;
  index = -1;
  manifest: Manifest | null = null;
  source: MediaElementAudioSourceNode | null = null;
  loudness: GainNode | null = null;
  /** Media time of the track's first and last real sample, for the rendition in use. */
  startAt = 0;
  endAt = 0;
  ready = false;
  loading = false;
  /** Bumped on every load so stale async work recognises itself. */
  generation = 0;
  /** Playing out its last (padding) samples after the next track took over. */
  draining = false;
  playCalledAt = 0;
  onReady: (() => void) | null = null;

  constructor(readonly name: string) {
    this.audio = document.createElement("audio");
    this.audio.preload = "auto";
    this.audio.dataset.deck = name;
    document.body.appendChild(this.audio);
  }

  connect(context: AudioContext, output: AudioNode): void {
    if (this.source) return;
    this.source = context.createMediaElementSource(this.audio);
    this.loudness = context.createGain();
    this.source.connect(this.loudness).connect(output);
    if (this.manifest) this.loudness.gain.value = dbToGain(this.manifest.loudness.gain_db);
  }

  /** The rendition the hls.js level in use comes from (matched by codec family). */
  rendition(): Rendition | null {
    const manifest = this.manifest;
    if (!manifest) return null;
    const codec = this.levelCodec();
    const family = codec ? familyOf(codec) : "aac";
    return (
      manifest.renditions.find((r) => familyOf(r.codec) === family && r.container !== "ogg") ??
      manifest.renditions.find((r) => familyOf(r.codec) === family) ??
      null
    );
  }

  levelCodec(): string | null {
    const hls = this.hls;
    if (!hls) return null;
    const index = hls.currentLevel >= 0 ? hls.currentLevel : hls.loadLevel;
    const level = hls.levels[index];
    return level?.audioCodec ?? null;
  }

  reset(): void {
    this.generation += 1;
    this.hls?.destroy();
    this.hls = null;
    this.item = null;
    this.index = -1;
    this.manifest = null;
    this.ready = false;
    this.loading = false;
    this.draining = false;
    this.startAt = 0;
    this.endAt = 0;
    this.onReady = null;
    this.audio.pause();
    this.audio.removeAttribute("src");
    this.audio.load();
  }
}

export class Player {
  readonly decks: [Deck, Deck];
  private cur = 0;
  queue: QueueItem[] = [];
  index = -1;
  product: Product;
  private context: AudioContext | null = null;
  private volumeNode: GainNode | null = null;
  private volume: number;
  private listeners = new Set<Listener>();
  private bandwidth = 0;
  private latencyMs = INITIAL_LATENCY_MS;
  private joinTimer = 0;
  private pendingJoin: { deck: Deck; leadMs: number; oldEndWall: number } | null = null;
  private measuring: { deck: Deck; from: string; leadMs: number; oldEndWall: number | null } | null =
    null;
  private manifests = new Map<string, Manifest>();
  joins: JoinRecord[] = [];
  trace: number[][] = [];
  /** Pins the start-up latency used for joins (ms) instead of measuring it; for experiments. */
  fixedLatencyMs: number | null = null;
  error: string | null = null;
  private wantPlay = false;

  constructor(product: Product, volume: number) {
    this.product = product;
    this.volume = volume;
    this.decks = [new Deck("a"), new Deck("b")];
    for (const deck of this.decks) this.watch(deck);
    const loop = (): void => {
      this.tick();
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
    // rAF stops in background tabs; a timer keeps the joins going there (at a coarser grain).
    setInterval(() => this.tick(), 50);
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

  /** Replace the queue and play `start`. */
  playQueue(items: QueueItem[], start: number): void {
    this.queue = items.slice();
    this.playIndex(start);
  }

  toggle(): void {
    const deck = this.current;
    if (!deck.item) {
      if (this.queue.length) this.playIndex(Math.max(this.index, 0));
      return;
    }
    if (deck.audio.paused || !this.wantPlay) this.resume();
    else this.pause();
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
    }
    this.emit();
  }

  pause(): void {
    this.wantPlay = false;
    this.cancelJoin();
    for (const deck of this.decks) {
      if (deck === this.current || deck.draining) deck.audio.pause();
    }
    this.emit();
  }

  next(): void {
    if (this.index + 1 < this.queue.length) this.playIndex(this.index + 1);
  }

  previous(): void {
    const deck = this.current;
    if (deck.item && deck.audio.currentTime - deck.startAt > 3) {
      this.seek(0);
      return;
    }
    if (this.index > 0) this.playIndex(this.index - 1);
    else this.seek(0);
  }

  seek(seconds: number): void {
    const deck = this.current;
    if (!deck.item) return;
    this.cancelJoin();
    const duration = this.duration();
    const t = Math.min(Math.max(seconds, 0), Math.max(duration - 0.05, 0));
    deck.audio.currentTime = deck.startAt + t;
    this.emit();
  }

  setVolume(volume: number): void {
    this.volume = Math.min(Math.max(volume, 0), 1);
    if (this.volumeNode) this.volumeNode.gain.value = this.volume;
    this.emit();
  }

  setProduct(product: Product): void {
    if (product === this.product) return;
    this.product = product;
    this.manifests.clear();
    // The waiting deck was prepared for the other tier; prepare it again when needed.
    if (this.other.item && !this.other.draining) this.other.reset();
    const deck = this.current;
    if (deck.item && this.index >= 0) {
      const at = deck.audio.currentTime - deck.startAt;
      const playing = this.wantPlay;
      void this.load(deck, this.index, playing, at);
    }
    this.emit();
  }

  state(): PlayerState {
    const deck = this.current;
    const rendition = deck.rendition();
    const hls = deck.hls;
    const codec = deck.levelCodec();
    const levels = hls
      ? hls.levels.map((level) => {
          const r = deck.manifest?.renditions.find(
            (x) => familyOf(x.codec) === familyOf(level.audioCodec ?? ""),
          );
          return qualityLabel(level.audioCodec ?? "?", r ? r.bitrate : level.bitrate);
        })
      : [];
    const level = hls ? hls.currentLevel : -1;
    return {
      trackId: deck.item?.id ?? null,
      title: deck.item?.name ?? null,
      artists: deck.item?.artists ?? null,
      albumId: deck.item?.albumId ?? null,
      currentTime: deck.item ? Math.max(0, deck.audio.currentTime - deck.startAt) : 0,
      duration: this.duration(),
      paused: !deck.item || deck.audio.paused,
      loading: deck.loading || (this.wantPlay && !deck.ready),
      quality: codec && level >= 0 ? (levels[level] ?? null) : rendition && !hls ? qualityLabel(rendition.codec, rendition.bitrate) : null,
      codec,
      level,
      levels,
      volume: this.volume,
      gain: (deck.manifest ? dbToGain(deck.manifest.loudness.gain_db) : 1) * this.volume,
      queueIndex: this.index,
      queueLength: this.queue.length,
      joins: this.joins.slice(),
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

  // ---- internals --------------------------------------------------------------------------

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private ensureAudio(): void {
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

  /** Play queue entry `index` on the current deck now, dropping whatever was prepared. */
  playIndex(index: number): void {
    if (index < 0 || index >= this.queue.length) return;
    this.ensureAudio();
    this.cancelJoin();
    this.wantPlay = true;
    const other = this.other;
    if (other.index === index && other.item?.id === this.queue[index].id && !other.draining) {
      // The next track is already waiting on the other deck: take it.
      this.current.reset();
      this.cur = 1 - this.cur;
      this.index = index;
      if (other.ready) this.startDeck(other);
      else other.onReady = () => this.startDeck(other);
      this.emit();
      return;
    }
    other.reset();
    this.index = index;
    void this.load(this.current, index, true, 0);
    this.emit();
  }

  private async manifest(trackId: string): Promise<Manifest> {
    const cached = this.manifests.get(trackId);
    // Signed URLs expire: refetch when less than two minutes are left.
    if (cached && cached.expires_at * 1000 - Date.now() > 120_000) return cached;
    const manifest = await api.manifest(trackId, this.product);
    this.manifests.set(trackId, manifest);
    return manifest;
  }

  /** Load queue entry `index` into `deck`; start it when ready if `autoplay`. */
  private async load(deck: Deck, index: number, autoplay: boolean, at: number): Promise<void> {
    deck.reset();
    const generation = deck.generation;
    const item = this.queue[index];
    deck.item = item;
    deck.index = index;
    deck.loading = true;
    if (deck === this.current) this.error = null;
    this.emit();
    let manifest: Manifest;
    try {
      manifest = await this.manifest(item.id);
    } catch (error) {
      if (generation !== deck.generation) return;
      deck.loading = false;
      this.fail(deck, `${item.name}: ${(error as Error).message}`);
      return;
    }
    if (generation !== deck.generation) return;
    deck.manifest = manifest;
    if (deck.loudness) deck.loudness.gain.value = dbToGain(manifest.loudness.gain_db);
    this.updateBounds(deck);
    if (autoplay) deck.onReady = () => this.startDeck(deck);
    const startPosition = deck.startAt + at;
    if (manifest.hls && Hls.isSupported()) {
      const hls = createHls({
        startPosition,
        ...(this.bandwidth > 0 ? { abrEwmaDefaultEstimate: this.bandwidth } : {}),
      });
      deck.hls = hls;
      this.wireHls(deck, hls, generation);
      hls.loadSource(manifest.hls);
      hls.attachMedia(deck.audio);
    } else {
      // No MSE (or no HLS package): native HLS where the browser has it, else one file.
      const native = manifest.hls && deck.audio.canPlayType("application/vnd.apple.mpegurl");
      const file =
        manifest.renditions.find((r) => r.codec === "aac") ??
        manifest.renditions.find((r) => deck.audio.canPlayType(`audio/${r.container}`)) ??
        manifest.renditions[0];
      const url = native ? manifest.hls : file?.url;
      if (!url) {
        deck.loading = false;
        this.fail(deck, `${item.name}: nothing this browser can play`);
        return;
      }
      deck.audio.src = url;
      if (startPosition > 0) deck.audio.currentTime = startPosition;
    }
  }

  private wireHls(deck: Deck, hls: Hls, generation: number): void {
    let recovered = 0;
    hls.on(Hls.Events.LEVEL_SWITCHED, () => {
      if (generation !== deck.generation) return;
      this.updateBounds(deck);
      this.emit();
    });
    hls.on(Hls.Events.FRAG_LOADED, () => {
      if (hls.bandwidthEstimate > 0) this.bandwidth = hls.bandwidthEstimate;
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (generation !== deck.generation || !data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && recovered < 2) {
        recovered += 1;
        hls.recoverMediaError();
        return;
      }
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR && recovered < 2) {
        recovered += 1;
        // Signed URLs may have expired: a fresh manifest brings fresh signatures.
        this.manifests.delete(deck.item?.id ?? "");
        const at = Math.max(deck.audio.currentTime - deck.startAt, 0);
        const playing = deck === this.current && this.wantPlay;
        void this.load(deck, deck.index, playing, at);
        return;
      }
      this.fail(deck, `${deck.item?.name ?? "track"}: playback failed (${data.details})`);
    });
  }

  /** Where the track's real samples sit on the media timeline, for the rendition in use. */
  private updateBounds(deck: Deck): void {
    const manifest = deck.manifest;
    if (!manifest) return;
    const rendition = deck.rendition();
    const duration = manifest.duration_ms / 1000;
    if (!rendition || !rendition.sample_rate) {
      deck.startAt = 0;
      deck.endAt = duration;
      return;
    }
    const start = TRIMS_DELAY ? 0 : rendition.encoder_delay / rendition.sample_rate;
    deck.startAt = start;
    deck.endAt = start + rendition.samples / rendition.sample_rate;
  }

  private watch(deck: Deck): void {
    const audio = deck.audio;
    const ready = (): void => {
      if (!deck.item || deck.ready || audio.readyState < HTMLMediaElement.HAVE_FUTURE_DATA) return;
      deck.ready = true;
      deck.loading = false;
      const onReady = deck.onReady;
      deck.onReady = null;
      onReady?.();
      this.emit();
    };
    audio.addEventListener("canplay", ready);
    audio.addEventListener("canplaythrough", ready);
    audio.addEventListener("loadeddata", ready);
    audio.addEventListener("playing", () => this.emit());
    audio.addEventListener("pause", () => this.emit());
    audio.addEventListener("waiting", () => this.emit());
    audio.addEventListener("ended", () => {
      if (deck.draining) {
        deck.reset();
        return;
      }
      if (deck !== this.current) return;
      // The join did not happen (the next track was not ready in time): hand over now.
      this.advance();
    });
    audio.addEventListener("error", () => {
      if (!deck.item || deck.hls) return;
      this.fail(deck, `${deck.item.name}: the browser could not play it`);
    });
  }

  private startDeck(deck: Deck): void {
    if (!this.wantPlay || deck !== this.current) return;
    this.ensureAudio();
    deck.playCalledAt = performance.now();
    if (!this.measuring || this.measuring.deck !== deck) {
      this.measuring = { deck, from: "", leadMs: 0, oldEndWall: null };
    }
    deck.audio.play().catch((error: Error) => {
      if (error.name === "AbortError") return; // a newer load or a pause came first
      this.wantPlay = false;
      this.error = error.name === "NotAllowedError" ? "Press play to start" : error.message;
      this.emit();
    });
    this.emit();
  }

  private fail(deck: Deck, message: string): void {
    if (deck !== this.current) {
      // The prefetch failed: try again on the hand-over, where the error will show.
      deck.reset();
      return;
    }
    this.error = message;
    deck.loading = false;
    this.emit();
    // Skip to the next track after a short pause so one bad track does not stop the queue.
    if (this.wantPlay && this.index + 1 < this.queue.length) {
      const index = this.index;
      setTimeout(() => {
        if (this.index === index && this.error === message) this.playIndex(index + 1);
      }, 1500);
    }
  }

  /** Current track over: go to the next one (the slow path, without a prepared join). */
  private advance(): void {
    this.cancelJoin();
    if (this.index + 1 >= this.queue.length) {
      this.wantPlay = false;
      this.emit();
      return;
    }
    this.playIndex(this.index + 1);
  }

  private cancelJoin(): void {
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.joinTimer = 0;
    this.pendingJoin = null;
  }

  private tick(): void {
    const deck = this.current;
    this.measureStart();
    if (!deck.item || !deck.ready || deck.audio.paused || !this.wantPlay) return;
    const rate = deck.audio.playbackRate || 1;
    const remaining = (deck.endAt - deck.audio.currentTime) / rate;
    const nextIndex = this.index + 1;
    if (nextIndex >= this.queue.length) return;
    const other = this.other;
    if (remaining < PREFETCH_AHEAD && other.index !== nextIndex && !other.draining) {
      void this.load(other, nextIndex, false, 0);
      return;
    }
    if (
      remaining <= JOIN_HORIZON &&
      !this.pendingJoin &&
      other.index === nextIndex &&
      other.ready &&
      !other.draining
    ) {
      this.scheduleJoin(deck, other);
    }
  }

  /** Start `next` when `deck` plays its last sample, less the element start-up latency. */
  private scheduleJoin(deck: Deck, next: Deck): void {
    const fire = (): void => {
      this.joinTimer = 0;
      if (this.current !== deck || !this.wantPlay || deck.audio.paused) {
        this.pendingJoin = null;
        return;
      }
      const rate = deck.audio.playbackRate || 1;
      const remainingMs = ((deck.endAt - deck.audio.currentTime) / rate) * 1000;
      const waitMs = remainingMs - this.latencyMs;
      this.trace.push([performance.now(), remainingMs, waitMs]);
      if (waitMs > 4) {
        this.joinTimer = window.setTimeout(fire, waitMs > 40 ? waitMs - 15 : waitMs);
        return;
      }
      this.join(deck, next, performance.now() + remainingMs);
    };
    this.pendingJoin = { deck: next, leadMs: this.latencyMs, oldEndWall: 0 };
    fire();
  }

  private join(deck: Deck, next: Deck, oldEndWall: number): void {
    this.pendingJoin = null;
    const leadMs = oldEndWall - performance.now();
    this.cur = 1 - this.cur;
    this.index = next.index;
    deck.draining = true;
    this.startDeck(next);
    this.measuring = { deck: next, from: deck.item?.id ?? "", leadMs, oldEndWall };
    // The old deck plays out its padding (silence) and resets itself on `ended`; in case
    // `ended` never comes, reset it shortly after its end.
    const generation = deck.generation;
    setTimeout(() => {
      if (deck.generation === generation && deck.draining) deck.reset();
    }, leadMs + 1500);
    this.emit();
  }

  /** Once a started deck's clock moves, note when its first sample played. */
  private measureStart(): void {
    const m = this.measuring;
    if (!m) return;
    const deck = m.deck;
    if (deck !== this.current || !deck.item) {
      this.measuring = null;
      return;
    }
    const played = deck.audio.currentTime - deck.startAt;
    if (deck.audio.paused || played <= 0.005) return;
    if (played > 0.5) {
      // Too late to tell (e.g. a background tab); measure next time.
      this.measuring = null;
      return;
    }
    const now = performance.now();
    const firstSampleWall = now - (played / (deck.audio.playbackRate || 1)) * 1000;
    const latency = firstSampleWall - deck.playCalledAt;
    this.measuring = null;
    if (this.fixedLatencyMs !== null) {
      this.latencyMs = this.fixedLatencyMs;
    } else if (latency < MAX_LATENCY_MS * 2) {
      const clamped = Math.min(Math.max(latency, 0), MAX_LATENCY_MS);
      this.latencyMs = 0.5 * this.latencyMs + 0.5 * clamped;
    }
    if (m.oldEndWall !== null) {
      this.joins.push({
        from: m.from,
        to: deck.item.id,
        gapMs: Math.round((firstSampleWall - m.oldEndWall) * 10) / 10,
        latencyMs: Math.round(latency * 10) / 10,
        leadMs: Math.round(m.leadMs * 10) / 10,
      });
      if (this.joins.length > 50) this.joins.shift();
    }
  }
}

/** Whether the browser drops the encoder delay itself (from the MP4 edit list). */
export let TRIMS_DELAY = true;
export function setTrimsDelay(value: boolean): void {
  TRIMS_DELAY = value;
}
