// A deck: one media element with its own hls.js, playing one track into its own branch of the
// player's Web Audio graph:
//
//   <audio> -> MediaElementSource -> DelayNode -> loudness GainNode -> (the player's volume)
//
// Loudness gain = 10^(gain_db/20) from the manifest. The delay is the gapless join's (see
// gapless.ts); it is 0 unless a join set it.
//
// Switching renditions mid-track (ABR, across codecs): Tonearm's packages put the first real
// sample at the same media time in every variant, and hlsx.ts keeps the whole track on the
// timeline of the first fragment buffered, so a switch neither skips nor repeats audio and the
// track's first and last real samples stay where they were found (see updateBounds).
import type { Abr } from "./abr";
import type { Manifest, Rendition } from "./api";
import { dbToGain, familyOf } from "./codecs";
import { createHls, Hls, sharedLeadIn } from "./hlsx";
import { readInit, type InitInfo } from "./mp4";
import type { QueueItem } from "./queue";

/** The longest delay a join may put in front of a deck (s). */
export const MAX_DELAY = 0.6;

/** Tracks currentTime - context.currentTime for a playing element. */
export class ClockOffset {
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

/** What a deck asks of the player it belongs to. */
export interface DeckHost {
  readonly abr: Abr;
  /** A new hls.js instance, before it loads anything (the player's test hook). */
  hlsCreated(hls: Hls, deck: Deck): void;
  /** Something the player shows changed. */
  changed(): void;
  /** The track cannot be played. */
  failed(deck: Deck, message: string): void;
  /** A network error (the signed URLs may have expired): load the track again from `at` s. */
  reload(deck: Deck, at: number): void;
}

export class Deck {
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

  constructor(
    readonly name: string,
    private readonly host: DeckHost,
  ) {
    this.audio = document.createElement("audio");
    this.audio.preload = "auto";
    this.audio.dataset.deck = name;
    this.audio.dataset.testid = `deck-${name}`;
    document.body.appendChild(this.audio);
    this.watch();
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

  /** Where the track is (s from its first real sample): the element's, or the one asked for. */
  get position(): number {
    return this.item && this.ready ? Math.max(0, this.audio.currentTime - this.startAt) : this.at;
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

  /**
   * Start loading `this.manifest` (set by the caller) from `at` s after the first real sample,
   * through hls.js where there is MSE, else natively. A prefetched track (`autoplay` false) stays
   * on its first rung until it plays. Returns why nothing here can play it, else null.
   */
  attach(autoplay: boolean, at: number): string | null {
    const manifest = this.manifest;
    if (!manifest) return "no manifest";
    const generation = this.generation;
    if (manifest.hls && Hls.isSupported()) {
      // From the natural start: seeking a fresh MSE element onto its first real sample makes
      // Chromium drop some 10-35 ms of AAC at play() now and then (measured); priming is
      // skipped by muting instead (see gapless.ts).
      const startPosition = at > 0 ? this.startAt + at : -1;
      const hls = createHls({ autoStartLoad: false, ...this.host.abr.hlsOptions() });
      this.hls = hls;
      this.host.hlsCreated(hls, this);
      // Start on the best rung for the bandwidth measured so far; a prefetched track stays on
      // it until it plays (for a package made before its variants shared one timeline, a switch
      // while it waits would move its first samples).
      hls.once(Hls.Events.MANIFEST_PARSED, () => {
        if (generation !== this.generation) return;
        const level = this.host.abr.startLevel(hls);
        if (level >= 0) {
          hls.startLevel = level;
          if (!autoplay) {
            hls.loadLevel = level;
            this.heldLevel = true;
          }
        }
        hls.startLoad(startPosition);
      });
      this.wireHls(hls, generation);
      hls.loadSource(manifest.hls);
      hls.attachMedia(this.audio);
      return null;
    }
    // No MSE (or no HLS package): native HLS where the browser has it, else one file.
    const native = manifest.hls && this.audio.canPlayType("application/vnd.apple.mpegurl");
    const file =
      this.rendition("aac") ??
      manifest.renditions.find((r) => this.audio.canPlayType(`audio/${r.container}`)) ??
      manifest.renditions[0];
    const url = native ? manifest.hls : file?.url;
    if (!url) return "nothing this browser can play";
    this.audio.src = url;
    return null;
  }

  /** Back to ABR from the next fragment on, once a prefetched track plays. */
  releaseLevel(): void {
    if (this.heldLevel && this.hls) {
      this.heldLevel = false;
      this.hls.loadLevel = -1;
    }
  }

  private wireHls(hls: Hls, generation: number): void {
    let recoveries = 0;
    hls.on(Hls.Events.FRAG_LOADED, (_event, data) => {
      if (generation !== this.generation) return;
      if (data.frag.sn === "initSegment") {
        const info = readInit(data.payload);
        if (info) this.inits.set(data.frag.level, info);
        this.updateBounds();
      } else {
        this.host.abr.measure(data.frag.stats);
      }
    });
    hls.on(Hls.Events.BUFFER_APPENDING, (_event, data) => {
      if (generation !== this.generation || this.timelineStart !== null) return;
      const offset = data.offset;
      if (data.frag.sn === "initSegment" || offset === undefined || !Number.isFinite(offset)) return;
      const leadIn = sharedLeadIn(hls.levels[data.frag.level]?.details);
      if (leadIn === null) return;
      // The first media fragment: hlsx.ts keeps its timestampOffset for the whole track, and
      // every variant's first real sample sits at media timestamp leadIn.
      this.timelineStart = leadIn + offset;
      this.updateBounds();
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, () => {
      if (generation !== this.generation) return;
      this.updateBounds();
      this.host.changed();
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (generation !== this.generation || !data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && recoveries < 3) {
        recoveries += 1;
        hls.recoverMediaError();
        return;
      }
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR && recoveries < 3) {
        recoveries += 1;
        const at = this.ready ? Math.max(this.audio.currentTime - this.startAt, 0) : this.at;
        this.host.reload(this, at);
        return;
      }
      this.host.failed(this, `${this.item?.name ?? "track"}: playback failed (${data.details})`);
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
  updateBounds(): void {
    const manifest = this.manifest;
    if (!manifest) return;
    const codec = this.levelCodec() ?? (this.hls ? "aac" : "aac-file");
    const rendition = this.rendition(codec === "aac-file" ? "aac" : codec);
    let start = 0;
    if (this.timelineStart !== null) {
      start = this.timelineStart;
    } else if (rendition && rendition.sample_rate > 0) {
      const init = this.inits.get(this.levelIndex());
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
    this.startAt = start;
    this.endAt = start + length;
  }

  /** Ready once it can play on from where it is; the clock offset starts over whenever the
   * element's clock may jump. */
  private watch(): void {
    const audio = this.audio;
    const ready = (): void => {
      if (!this.item || this.ready || !this.manifest) return;
      if (audio.readyState < HTMLMediaElement.HAVE_FUTURE_DATA || audio.seeking) return;
      this.ready = true;
      this.loading = false;
      const onReady = this.onReady;
      this.onReady = null;
      onReady?.();
      this.host.changed();
    };
    for (const name of ["canplay", "canplaythrough", "seeked", "loadeddata"]) {
      audio.addEventListener(name, ready);
    }
    for (const name of ["seeking", "waiting", "pause", "play", "ratechange", "emptied"]) {
      audio.addEventListener(name, () => this.clock.reset());
    }
  }
}
