// The player: a queue, two decks (a media element with its own hls.js each) and one Web Audio
// graph:
//
//   deck A <audio> -> MediaElementSource -> DelayNode -> loudness GainNode --\
//                                                                             >- volume -> out
//   deck B <audio> -> MediaElementSource -> DelayNode -> loudness GainNode --/
//
// Loudness gain = 10^(gain_db/20) from the manifest, volume = the user's slider.
//
// Gapless: some seconds before the playing track ends, the other deck fetches the next
// track's manifest and buffers its start, paused on its first real sample. The join is done on
// the AudioContext clock, which both media elements follow sample for sample once routed
// through Web Audio (measured: currentTime - context.currentTime stays within one 128-frame
// render quantum):
//   1. While a deck plays, the offset between its currentTime and context.currentTime is
//      tracked, which says at which context time its last real sample (endAt) will render.
//   2. ~150 ms before that, the next deck starts playing behind its DelayNode, set long.
//   3. As soon as its clock moves, the context time of its first sample is known; its delay is
//      set so that sample renders exactly when the previous track's last one has, and the
//      previous deck's gain is scheduled to drop to 0 at that same context time (cutting any
//      encoder padding it would play after its last real sample).
// A timer on the wall clock only has to start step 2 roughly on time, so the join does not
// depend on the `ended` event, nor on timer or requestAnimationFrame precision.
//
// Switching renditions mid-track (ABR, across codecs): Tonearm's packages put the first real
// sample at the same media time in every variant, and hlsx.ts keeps the whole track on the
// timeline of the first fragment buffered, so a switch neither skips nor repeats audio and the
// track's first and last real samples stay where they were found (see updateBounds).
import { api, type Manifest, type Product, type Rendition } from "./api";
import { createHls, Hls, sharedLeadIn } from "./hlsx";
import { readInit, type InitInfo } from "./mp4";

export interface QueueItem {
  id: string;
  name: string;
  artists: string;
  albumId?: string;
  albumName?: string;
  durationMs: number;
}

export interface JoinRecord {
  from: string;
  to: string;
  /** Expected audible gap (ms) on the context clock: 0 is sample-exact, < 0 an overlap. */
  gapMs: number;
  /** From play() to the next deck's first sample rendering without delay (ms). */
  latencyMs: number;
  /** The delay that aligned the next track's first sample (ms). */
  delayMs: number;
  /** Whether the next deck's start was measured (else estimated). */
  measured: boolean;
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
  autoLevel: boolean;
  volume: number;
  gain: number;
  queueIndex: number;
  queueLength: number;
  joins: JoinRecord[];
  error: string | null;
}

/** Seconds before a track's end at which the next one is prefetched. */
const PREFETCH_AHEAD = 25;
/** How long before the current track's end the next deck starts, behind its delay (s). */
const JOIN_LEAD = 0.15;
const MAX_DELAY = 0.6;
/** Below this much time left, a join can no longer be aligned and starts at once (s). */
const TOO_LATE = 0.025;
/** Clock readings of the next deck taken to find its start in a join. */
const START_READINGS = 10;

export function codecName(codec: string): string {
  const c = codec.toLowerCase();
  if (c.startsWith("mp4a") || c === "aac") return "AAC";
  if (c.startsWith("opus")) return "Opus";
  if (c.startsWith("flac")) return "FLAC";
  if (c.startsWith("vorbis")) return "Vorbis";
  if (c === "mp3") return "MP3";
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

/** Tracks currentTime - context.currentTime for a playing element. */
class ClockOffset {
  private samples: number[] = [];
  private lastMedia = -1;

  reset(): void {
    this.samples = [];
    this.lastMedia = -1;
  }

  add(media: number, context: number): void {
    if (media === this.lastMedia) return; // a stale reading
    this.lastMedia = media;
    this.samples.push(media - context);
    if (this.samples.length > 24) this.samples.shift();
  }

  /** currentTime lags behind at times, never leads: take a high quantile. */
  get(): number | null {
    if (this.samples.length < 3) return null;
    const sorted = this.samples.slice().sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length * 0.75)];
  }
}

type Listener = () => void;

class Deck {
  readonly audio: HTMLAudioElement;
  hls: Hls | null = null;
  item: QueueItem | null = null;
  index = -1;
  manifest: Manifest | null = null;
  source: MediaElementAudioSourceNode | null = null;
  delay: DelayNode | null = null;
  loudness: GainNode | null = null;
  readonly clock = new ClockOffset();
  /** Init segment facts per hls.js level index. */
  inits = new Map<number, InitInfo>();
  /** Media time of the track's first and last real sample, for the rendition in use. */
  startAt = 0;
  endAt = 0;
  /** Media time of the first real sample on a timeline every variant shares (the package says
   * so), fixed by the first media fragment buffered; null before, or with no shared timeline. */
  timelineStart: number | null = null;
  /** Position asked for at load, relative to the first real sample. */
  at = 0;
  ready = false;
  loading = false;
  started = false;
  /** Loading pinned to one level while it waits as the next track. */
  heldLevel = false;
  /** Bumped on every load so stale async work recognises itself. */
  generation = 0;
  /** Playing out its last samples, muted, after the next track took over... */
  draining = false;
  /** ...until this context time, when its delayed audio has all rendered. */
  drainUntil = 0;
  onReady: (() => void) | null = null;

  constructor(readonly name: string) {
    this.audio = document.createElement("audio");
    this.audio.preload = "auto";
    this.audio.dataset.deck = name;
    this.audio.dataset.testid = `deck-${name}`;
    document.body.appendChild(this.audio);
  }

  connect(context: AudioContext, output: AudioNode): void {
    if (this.source) return;
    this.source = context.createMediaElementSource(this.audio);
    this.delay = context.createDelay(MAX_DELAY + 0.1);
    this.delay.delayTime.value = 0;
    this.loudness = context.createGain();
    this.loudness.gain.value = this.trackGain();
    this.source.connect(this.delay).connect(this.loudness).connect(output);
  }

  trackGain(): number {
    return this.manifest ? dbToGain(this.manifest.loudness.gain_db) : 1;
  }

  setGain(value: number): void {
    const gain = this.loudness?.gain;
    if (!gain) return;
    gain.cancelScheduledValues(0);
    gain.value = value;
  }

  setDelay(seconds: number): void {
    const delay = this.delay?.delayTime;
    if (!delay) return;
    delay.cancelScheduledValues(0);
    delay.value = seconds;
  }

  get delaySeconds(): number {
    return this.delay?.delayTime.value ?? 0;
  }

  levelIndex(): number {
    const hls = this.hls;
    if (!hls) return -1;
    return hls.currentLevel >= 0 ? hls.currentLevel : hls.loadLevel;
  }

  levelCodec(): string | null {
    const level = this.hls?.levels[this.levelIndex()];
    return level?.audioCodec ?? null;
  }

  /** The manifest rendition the hls.js level in use was made from (same codec family). */
  rendition(codec = this.levelCodec()): Rendition | null {
    const manifest = this.manifest;
    if (!manifest) return null;
    const family = familyOf(codec ?? "aac");
    const matches = manifest.renditions.filter((r) => familyOf(r.codec) === family);
    return matches.find((r) => r.container === "mp4") ?? matches[0] ?? null;
  }

  reset(): void {
    this.generation += 1;
    this.hls?.destroy();
    this.hls = null;
    this.item = null;
    this.index = -1;
    this.manifest = null;
    this.inits = new Map();
    this.timelineStart = null;
    this.ready = false;
    this.loading = false;
    this.started = false;
    this.heldLevel = false;
    this.draining = false;
    this.drainUntil = 0;
    this.startAt = 0;
    this.endAt = 0;
    this.at = 0;
    this.onReady = null;
    this.clock.reset();
    this.audio.pause();
    this.audio.removeAttribute("src");
    this.audio.load();
    this.setGain(0);
    this.setDelay(0);
  }
}

interface Join {
  from: Deck;
  to: Deck;
  fromId: string;
  /** Context time at which the previous track's last real sample renders. */
  endCtx: number;
  playCtx: number;
  mediaAtPlay: number;
  /** Estimates of the context time at which the next track's first real sample enters. */
  starts: number[];
  settled: boolean;
}

export class Player {
  readonly decks: [Deck, Deck];
  private cur = 0;
  queue: QueueItem[] = [];
  index = -1;
  /** The signed-in user's tier (from /v1/me): the server decides the renditions by it, so a
   * change means new manifests. */
  product: Product | null = null;
  private context: AudioContext | null = null;
  private volumeNode: GainNode | null = null;
  private volume: number;
  private listeners = new Set<Listener>();
  private bandwidth = 0;
  private joinTimer = 0;
  private pollTimer = 0;
  private join: Join | null = null;
  private manifests = new Map<string, Manifest>();
  private wantPlay = false;
  /** A prefetch that failed is not tried again for a while. */
  private prefetchBlocked = { index: -1, until: 0 };
  joins: JoinRecord[] = [];
  /** Test hook: sees every hls.js instance a deck makes, before it loads anything. */
  onHls: ((hls: Hls, deck: string) => void) | null = null;
  error: string | null = null;

  constructor(volume: number) {
    this.volume = volume;
    this.decks = [new Deck("a"), new Deck("b")];
    for (const deck of this.decks) this.watch(deck);
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

  /** Replace the queue and play entry `start`. */
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
    this.emit();
  }

  pause(): void {
    this.wantPlay = false;
    this.abortJoin();
    this.current.audio.pause();
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
    this.abortJoin();
    const duration = this.duration();
    const t = Math.min(Math.max(seconds, 0), Math.max(duration - 0.05, 0));
    if (deck.ready || deck.hls) deck.audio.currentTime = deck.startAt + t;
    else deck.at = t;
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
    this.abortJoin();
    if (!this.other.draining) this.other.reset();
    const deck = this.current;
    if (deck.item && this.index >= 0) {
      const at = Math.max(deck.audio.currentTime - deck.startAt, 0);
      void this.load(deck, this.index, this.wantPlay, at);
    }
    this.emit();
  }

  /** Stop, and forget the queue and its manifests (on sign-out: they were the user's). */
  stop(): void {
    this.wantPlay = false;
    this.abortJoin();
    for (const deck of this.decks) deck.reset();
    this.queue = [];
    this.index = -1;
    this.error = null;
    this.product = null;
    this.manifests.clear();
    this.emit();
  }

  /** Play queue entry `index` now, on whichever deck has it ready, else load it. */
  playIndex(index: number): void {
    if (index < 0 || index >= this.queue.length) return;
    this.ensureAudio();
    this.abortJoin();
    this.wantPlay = true;
    this.error = null;
    const other = this.other;
    const prepared =
      other.index === index && other.item?.id === this.queue[index].id && !other.draining;
    if (prepared && !other.started) {
      this.current.reset();
      this.cur = 1 - this.cur;
      this.index = index;
      other.setGain(other.trackGain());
      other.setDelay(0);
      if (other.ready) this.startDeck(other);
      else other.onReady = () => this.startDeck(other);
      this.emit();
      return;
    }
    if (!other.draining) other.reset();
    this.index = index;
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
      currentTime: deck.item && deck.ready ? Math.max(0, deck.audio.currentTime - deck.startAt) : deck.at,
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

  // ---- loading ----------------------------------------------------------------------------

  private emit(): void {
    for (const listener of this.listeners) listener();
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

  private async manifest(trackId: string, prefetch = false): Promise<Manifest> {
    const cached = this.manifests.get(trackId);
    // Signed URLs expire: fetch again when less than two minutes are left.
    if (cached && cached.expires_at * 1000 - Date.now() > 120_000) {
      if (!prefetch) this.reportStart(trackId);
      return cached;
    }
    const manifest = await api.manifest(trackId, undefined, prefetch);
    this.manifests.set(trackId, manifest);
    return manifest;
  }

  /** Tell the server a track started whose manifest is already here (prefetched or cached):
   * asking for it again is what puts it in the listening history. */
  private reportStart(trackId: string): void {
    api.manifest(trackId).catch(() => undefined);
  }

  /** Load queue entry `index` into `deck` at `at` seconds; start it when ready if `autoplay`. */
  private async load(deck: Deck, index: number, autoplay: boolean, at: number): Promise<void> {
    deck.reset();
    const generation = deck.generation;
    const item = this.queue[index];
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
    this.updateBounds(deck);
    if (manifest.hls && Hls.isSupported()) {
      // From the natural start: seeking a fresh MSE element onto its first real sample makes
      // Chromium drop some 10-35 ms of AAC at play() now and then (measured); priming is
      // skipped by muting instead (see startJoin).
      const startPosition = at > 0 ? deck.startAt + at : -1;
      const hls = createHls({
        autoStartLoad: false,
        ...(this.bandwidth > 0 ? { abrEwmaDefaultEstimate: this.bandwidth } : {}),
      });
      deck.hls = hls;
      this.onHls?.(hls, deck.name);
      // Start on the best rung for the bandwidth measured so far; a prefetched track stays on
      // it until it plays (for a package made before its variants shared one timeline, a switch
      // while it waits would move its first samples).
      hls.once(Hls.Events.MANIFEST_PARSED, () => {
        if (generation !== deck.generation) return;
        const level = this.startLevel(hls);
        if (level >= 0) {
          hls.startLevel = level;
          if (!autoplay) {
            hls.loadLevel = level;
            deck.heldLevel = true;
          }
        }
        hls.startLoad(startPosition);
      });
      this.wireHls(deck, hls, generation);
      hls.loadSource(manifest.hls);
      hls.attachMedia(deck.audio);
      return;
    }
    // No MSE (or no HLS package): native HLS where the browser has it, else one file.
    const native = manifest.hls && deck.audio.canPlayType("application/vnd.apple.mpegurl");
    const file =
      deck.rendition("aac") ??
      manifest.renditions.find((r) => deck.audio.canPlayType(`audio/${r.container}`)) ??
      manifest.renditions[0];
    const url = native ? manifest.hls : file?.url;
    if (!url) {
      deck.loading = false;
      this.fail(deck, `${item.name}: nothing this browser can play`);
      return;
    }
    deck.audio.src = url;
  }

  /** The level a new hls.js starts on: the best that fits the bandwidth measured so far (with
   * hls.js's own safety factor), or hls.js's choice (-1) before anything was measured. */
  private startLevel(hls: Hls): number {
    const levels = hls.levels;
    const bandwidth = this.bandwidth;
    if (bandwidth === 0) return -1;
    let best = -1;
    levels.forEach((level, index) => {
      if (level.bitrate <= 0.7 * bandwidth && (best < 0 || level.bitrate > levels[best].bitrate)) {
        best = index;
      }
    });
    return best;
  }

  private wireHls(deck: Deck, hls: Hls, generation: number): void {
    let recoveries = 0;
    hls.on(Hls.Events.FRAG_LOADED, (_event, data) => {
      if (generation !== deck.generation) return;
      if (data.frag.sn === "initSegment") {
        const info = readInit(data.payload);
        if (info) deck.inits.set(data.frag.level, info);
        this.updateBounds(deck);
      } else {
        // hls.js's estimator wants several fragments; a track is often one or two, so keep a
        // session-wide estimate too, for the next track's first rung.
        const { loaded, loading } = data.frag.stats;
        const seconds = (loading.end - loading.start) / 1000;
        if (loaded > 16_384 && seconds > 0) {
          const sample = (loaded * 8) / seconds;
          this.bandwidth = this.bandwidth ? 0.6 * this.bandwidth + 0.4 * sample : sample;
        }
      }
    });
    hls.on(Hls.Events.BUFFER_APPENDING, (_event, data) => {
      if (generation !== deck.generation || deck.timelineStart !== null) return;
      const offset = data.offset;
      if (data.frag.sn === "initSegment" || offset === undefined || !Number.isFinite(offset)) return;
      const leadIn = sharedLeadIn(hls.levels[data.frag.level]?.details);
      if (leadIn === null) return;
      // The first media fragment: hlsx.ts keeps its timestampOffset for the whole track, and
      // every variant's first real sample sits at media timestamp leadIn.
      deck.timelineStart = leadIn + offset;
      this.updateBounds(deck);
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, () => {
      if (generation !== deck.generation) return;
      this.updateBounds(deck);
      this.emit();
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (generation !== deck.generation || !data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && recoveries < 3) {
        recoveries += 1;
        hls.recoverMediaError();
        return;
      }
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR && recoveries < 3) {
        recoveries += 1;
        // The signed URLs may have expired: a fresh manifest brings fresh signatures.
        this.manifests.delete(deck.item?.id ?? "");
        const at = deck.ready ? Math.max(deck.audio.currentTime - deck.startAt, 0) : deck.at;
        const playing = deck === this.current && this.wantPlay;
        void this.load(deck, deck.index, playing, at);
        return;
      }
      this.fail(deck, `${deck.item?.name ?? "track"}: playback failed (${data.details})`);
    });
  }

  /**
   * Where the track's real samples sit on the media timeline. Each variant's fragments start
   * with its codec's lead-in: AAC's encoder priming, which the browser drops only as far as the
   * init segment's edit list says; Opus's pre-skip, which the decoder drops only as far as the
   * init segment's dOps says (Tonearm's packages say 0); FLAC has none. In a package whose
   * variants share one timeline, that lead-in ends at the same media timestamp in all of them,
   * and the track stays on the timeline of its first fragment (timelineStart). Otherwise each
   * variant is placed on its own, and the start moves with the level in use.
   */
  private updateBounds(deck: Deck): void {
    const manifest = deck.manifest;
    if (!manifest) return;
    const codec = deck.levelCodec() ?? (deck.hls ? "aac" : "aac-file");
    const rendition = deck.rendition(codec === "aac-file" ? "aac" : codec);
    let start = 0;
    if (deck.timelineStart !== null) {
      start = deck.timelineStart;
    } else if (rendition && rendition.sample_rate > 0) {
      const init = deck.inits.get(deck.levelIndex());
      const family = familyOf(codec);
      let skipped = 0;
      if (family === "aac") {
        skipped = init ? (init.editSkip * rendition.sample_rate) / init.timescale : 0;
      } else if (family === "opus") {
        // Until its init segment is in, assume the decoder drops the whole pre-skip.
        skipped = init ? (init.opusPreSkip ?? 0) : rendition.encoder_delay;
      }
      start = Math.max(rendition.encoder_delay - skipped, 0) / rendition.sample_rate;
    }
    if (codec === "aac-file") start = 0; // a plain .m4a: its edit list is honoured
    const length =
      rendition && rendition.sample_rate > 0
        ? rendition.samples / rendition.sample_rate
        : manifest.duration_ms / 1000;
    deck.startAt = start;
    deck.endAt = start + length;
  }

  private watch(deck: Deck): void {
    const audio = deck.audio;
    const ready = (): void => {
      if (!deck.item || deck.ready || !deck.manifest) return;
      if (audio.readyState < HTMLMediaElement.HAVE_FUTURE_DATA || audio.seeking) return;
      deck.ready = true;
      deck.loading = false;
      const onReady = deck.onReady;
      deck.onReady = null;
      onReady?.();
      this.emit();
    };
    for (const name of ["canplay", "canplaythrough", "seeked", "loadeddata"]) {
      audio.addEventListener(name, ready);
    }
    for (const name of ["seeking", "waiting", "pause", "play", "ratechange", "emptied"]) {
      audio.addEventListener(name, () => deck.clock.reset());
    }
    audio.addEventListener("playing", () => this.emit());
    audio.addEventListener("pause", () => this.emit());
    audio.addEventListener("ended", () => {
      if (deck.draining) {
        this.finishDraining(deck);
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
    if (deck.heldLevel && deck.hls) {
      deck.heldLevel = false;
      deck.hls.loadLevel = -1; // back to ABR from the next fragment on
    }
    deck.audio.play().catch((error: Error) => {
      if (error.name === "AbortError") return; // a newer load or a pause came first
      if (deck !== this.current) return;
      this.wantPlay = false;
      this.abortJoin();
      this.error = error.name === "NotAllowedError" ? "Press play to start" : error.message;
      this.emit();
    });
    this.emit();
  }

  private fail(deck: Deck, message: string): void {
    if (deck !== this.current) {
      // The prefetch failed: the hand-over will load it again and show any error.
      this.prefetchBlocked = { index: deck.index, until: performance.now() + 10_000 };
      deck.reset();
      return;
    }
    this.error = message;
    deck.loading = false;
    this.emit();
    // Skip to the next track after a moment so one bad track does not stop the queue.
    if (this.wantPlay && this.index + 1 < this.queue.length) {
      const index = this.index;
      setTimeout(() => {
        if (this.index === index && this.error === message) this.playIndex(index + 1);
      }, 1500);
    }
  }

  /** The current track ended with no join prepared: the slow path to the next one. */
  private advance(): void {
    if (this.index + 1 >= this.queue.length) {
      this.wantPlay = false;
      this.emit();
      return;
    }
    this.playIndex(this.index + 1);
  }

  // ---- gapless joins ----------------------------------------------------------------------

  private tick(): void {
    const context = this.context;
    const deck = this.current;
    if (this.join) this.settleJoin();
    if (!context || !deck.item || !deck.ready || deck.audio.paused || !this.wantPlay) return;
    const audio = deck.audio;
    if (!audio.seeking && audio.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA) {
      deck.clock.add(audio.currentTime, context.currentTime);
    }
    if (this.join || this.joinTimer) return;
    const nextIndex = this.index + 1;
    if (nextIndex >= this.queue.length) return;
    const rate = audio.playbackRate || 1;
    const remaining = (deck.endAt - audio.currentTime) / rate;
    const other = this.other;
    const blocked =
      this.prefetchBlocked.index === nextIndex && performance.now() < this.prefetchBlocked.until;
    // Prefetch once a bandwidth estimate exists (a second in), for the next track's first rung.
    const played = audio.currentTime - deck.startAt;
    const due = remaining < PREFETCH_AHEAD && (played > 1 || remaining < 4);
    if (due && other.index !== nextIndex && !other.draining && !blocked) {
      void this.load(other, nextIndex, false, 0);
      return;
    }
    if (other.index !== nextIndex || !other.ready || rate !== 1) return;
    // Time left until the last real sample renders, behind this deck's own delay.
    const endCtx = this.endContextTime(deck);
    if (endCtx === null) return;
    const left = endCtx - context.currentTime;
    if (left < JOIN_LEAD + 0.5) {
      const wait = Math.max(0, (left - JOIN_LEAD) * 1000);
      this.joinTimer = window.setTimeout(() => {
        this.joinTimer = 0;
        this.startJoin(deck, other, endCtx);
      }, wait);
    }
  }

  /** Context time at which `deck`'s last real sample renders, from its clock offset. */
  private endContextTime(deck: Deck): number | null {
    const context = this.context;
    if (!context) return null;
    const offset = deck.clock.get();
    if (offset !== null) return deck.endAt - offset + deck.delaySeconds;
    // Not enough clock readings yet: use this one.
    return deck.endAt - deck.audio.currentTime + context.currentTime + deck.delaySeconds;
  }

  /** `plannedEnd`: the context time of `from`'s last sample when the join was planned. */
  private startJoin(from: Deck, to: Deck, plannedEnd: number): void {
    const context = this.context;
    // A deck that took over in a join plays behind a delay about as long as the lead, so its
    // element may have ended already while its last moments are still in the delay line.
    const stopped = from.audio.paused && !from.audio.ended;
    if (!context || from !== this.current || stopped || !this.wantPlay) return;
    if (to.index !== this.index + 1 || !to.ready || to.started || to.draining) return;
    // An ended element's clock was reset by its `pause`: keep the end found while it played.
    const endCtx = from.audio.ended ? plannedEnd : this.endContextTime(from);
    if (endCtx === null) return;
    const left = endCtx - context.currentTime;
    this.cur = 1 - this.cur;
    this.index = to.index;
    from.draining = true;
    if (to.item) this.reportStart(to.item.id);
    const late = left < TOO_LATE;
    // The next deck stays silent until the previous track's last sample has rendered: that
    // also hides any encoder priming it plays before its first real sample.
    const next = to.loudness?.gain;
    if (next) {
      next.cancelScheduledValues(0);
      next.setValueAtTime(0, context.currentTime);
      next.setValueAtTime(to.trackGain(), Math.max(endCtx, context.currentTime));
    }
    // Hold the next track back behind a long delay until its start is known (or not at all
    // when there is no time left to align it).
    to.setDelay(late ? 0 : MAX_DELAY);
    this.join = {
      from,
      to,
      fromId: from.item?.id ?? "",
      endCtx,
      playCtx: context.currentTime,
      mediaAtPlay: to.audio.currentTime,
      starts: [],
      settled: late,
    };
    // Silence the previous deck from its last real sample on (or now, when late).
    const gain = from.loudness?.gain;
    if (gain) {
      gain.cancelScheduledValues(0);
      gain.setValueAtTime(gain.value, context.currentTime);
      gain.setValueAtTime(0, Math.max(endCtx, context.currentTime));
    }
    this.startDeck(to);
    if (late) {
      this.recordJoin(this.join, context.currentTime - endCtx, 0, 0, false);
      this.finishJoin();
    } else {
      this.pollTimer = window.setInterval(() => this.settleJoin(), 4);
    }
    // The previous deck ends on its own (`ended` resets it); make sure it does.
    from.drainUntil = late ? context.currentTime : endCtx;
    const generation = from.generation;
    setTimeout(
      () => {
        if (from.generation === generation) this.finishDraining(from);
      },
      Math.max(left, 0) * 1000 + 3000,
    );
    this.emit();
  }

  /** Reset a deck that handed over, once its delayed audio up to its last sample has rendered. */
  private finishDraining(deck: Deck): void {
    if (!deck.draining) return;
    const context = this.context;
    const left = context ? deck.drainUntil - context.currentTime : 0;
    if (left > 0) {
      const generation = deck.generation;
      setTimeout(() => {
        if (deck.generation === generation) this.finishDraining(deck);
      }, left * 1000 + 50);
      return;
    }
    deck.reset();
  }

  /** Once the next deck's clock moves, delay it so its first sample follows the last one. */
  private settleJoin(): void {
    const join = this.join;
    const context = this.context;
    if (!join || !context) return;
    if (join.settled) {
      this.finishJoin();
      return;
    }
    const to = join.to;
    const media = to.audio.currentTime;
    const now = context.currentTime;
    if (!to.audio.paused && media > join.mediaAtPlay + 0.0005) {
      // Context time at which the first real sample (media time startAt) enters the graph.
      const start = now - (media - to.startAt) / (to.audio.playbackRate || 1);
      if (join.starts[join.starts.length - 1] !== start) join.starts.push(start);
    }
    const deadline = join.endCtx - 0.02;
    // Every reading can lag by a render quantum or more: take the earliest of as many as fit
    // before the deadline.
    if (join.starts.length < START_READINGS && now < deadline) return;
    let measured = join.starts.length > 0;
    // currentTime can lag, never lead: the earliest start is the right one.
    let start = measured ? Math.min(...join.starts) : join.playCtx + 0.01 + to.startAt;
    let delay = join.endCtx - start;
    if (delay > MAX_DELAY || delay < 0) {
      measured = measured && delay >= 0;
      delay = Math.min(Math.max(delay, 0), MAX_DELAY);
    }
    if (now >= start + delay) {
      // Too late to align: let it play from here on.
      delay = Math.max(now - start, 0);
      measured = false;
    }
    to.setDelay(delay);
    join.settled = true;
    start += delay;
    this.recordJoin(
      join,
      start - join.endCtx,
      start - delay - to.startAt - join.playCtx,
      delay,
      measured,
    );
    this.finishJoin();
  }

  private recordJoin(
    join: Join,
    gap: number,
    latency: number,
    delay: number,
    measured: boolean,
  ): void {
    const round = (seconds: number): number => Math.round(seconds * 10000) / 10;
    this.joins.push({
      from: join.fromId,
      to: join.to.item?.id ?? "",
      gapMs: round(gap),
      latencyMs: round(latency),
      delayMs: round(delay),
      measured,
    });
    if (this.joins.length > 50) this.joins.shift();
  }

  private finishJoin(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = 0;
    this.join = null;
    this.emit();
  }

  /** Undo a join in progress (pause, seek, skip): the previous deck stays the current one. */
  private abortJoin(): void {
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.joinTimer = 0;
    const join = this.join;
    if (!join) return;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = 0;
    this.join = null;
    const context = this.context;
    const { from, to } = join;
    if (join.settled || !context || context.currentTime >= join.endCtx - 0.005) return;
    // The previous track is still sounding: give it back its place.
    to.audio.pause();
    to.started = false;
    to.ready = false;
    to.setDelay(0);
    to.setGain(to.trackGain());
    to.audio.currentTime = 0;
    from.draining = false;
    from.setGain(from.trackGain());
    this.cur = this.decks.indexOf(from);
    this.index = from.index;
  }
}
