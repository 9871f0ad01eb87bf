// hls.js, set up for an audio-only ladder whose rungs are different codecs
// (Opus 24 kbps, AAC 256 kbps, FLAC, each CMAF/fMP4).
//
// Two things in hls.js 1.7 stand in the way of switching between those rungs, both worked
// around here through hls.js's own extension points (the abrController and bufferController
// config options), without patching the library:
//
// 1. Its ABR never leaves the codec family it started in: findBestLevel() skips every level
//    whose codecSet differs from the current one. With one rung per codec that means no
//    adaptation at all. CrossCodecAbrController lets it compare all rungs by bandwidth.
//
//    Its emergency rule (abandon a fragment that will not arrive before the buffer runs dry)
//    never switches down to the lowest level, nor acts before playback starts: on a slow
//    connection AAC never fell back to Opus (a 25 s stall, measured with Chromium's network
//    throttling at 45 kbit/s) and a first FLAC fragment held the start for 20 s.
//    abandonToLowest() adds those two cases.
//
// 2. Its BufferController decides whether a new init segment needs SourceBuffer.changeType() by
//    comparing codecs, but for a SourceBuffer holding a bare four-character codec ("opus",
//    "flac") it compares against the codec of the *first* level ever buffered. So going
//    AAC -> Opus -> AAC, or Opus -> FLAC -> Opus, skips changeType and Chromium rejects the
//    append ("Audio stream codec opus doesn't match SourceBuffer codecs"); hls.js then resets
//    the MediaSource, with an audible jump. CodecSwitchBufferController keeps that reference
//    codec current, so every codec change goes through changeType().
//
// 3. hls.js places each fragment with SourceBuffer.timestampOffset = -initPTS, and it re-derives
//    initPTS from the playlist (tfdt minus the segment's playlist start) whenever the timescale
//    changes: AAC or FLAC at 44.1 kHz <-> Opus at 48 kHz. Tonearm's packages give every variant
//    one timeline in the media timestamps themselves (the first real sample at the same tfdt
//    time, see package.py), which the playlist times cannot say for the first segment, so those
//    re-derivations moved Opus by the AAC priming (~40 ms) against the others. For a package that
//    says so (LEAD_IN_TAG in its media playlists), CodecSwitchBufferController keeps the offset
//    hls.js chose for the first fragment for the whole track: one timeline for every variant.
//    (hls.js's own idea of where fragments sit can then be up to that lead-in later than where
//    they are, never earlier.)
//
// 4. Different codecs have different frame lengths (AAC 1024 samples, Opus 20 ms, FLAC 4608
//    samples), so their segments never start at quite the same time. On a switch, hls.js took the other
//    variant's next segment even when it started up to 0.25 s after the buffered end
//    (maxFragLookUpTolerance), and the audio in between was skipped. createHls() makes it take
//    the segment that holds the buffered end instead, and CodecSwitchBufferController appends
//    such a segment only from the buffered end on (SourceBuffer.appendWindowStart, which Chromium
//    trims to the sample): what is buffered stays as it is, however close to the playhead, and
//    the new variant carries on exactly where the old one stops.
import Hls from "hls.js/light";
import type { HlsConfig, Level, LevelDetails } from "hls.js";

// The classes are exported but their members are private in the typings; reach them untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClass = new (...args: any[]) => any;

const AbrBase = Hls.DefaultConfig.abrController as unknown as AnyClass;
const BufferBase = Hls.DefaultConfig.bufferController as unknown as AnyClass;

class CrossCodecAbrController extends AbrBase {
  constructor(hls: Hls) {
    super(hls);
    // An arrow-function field hls.js runs on a timer while a fragment loads.
    const check: (levelLoaded?: unknown) => void = this._abandonRulesCheck;
    this._abandonRulesCheck = (levelLoaded?: unknown): void => {
      check(levelLoaded);
      this.abandonToLowest();
    };
  }

  findBestLevel(...args: unknown[]): number {
    const levels: Level[] = this.hls?.levels ?? [];
    const saved = levels.map((level) => level.codecSet);
    for (const level of levels) (level as { codecSet: string }).codecSet = "audio";
    try {
      return super.findBestLevel(...args);
    } finally {
      levels.forEach((level, i) => {
        (level as { codecSet: string }).codecSet = saved[i];
      });
    }
  }

  /** hls.js's emergency down-switch, for the cases it skips: down to the lowest level, and
   * before playback has started. */
  abandonToLowest(): void {
    const hls: Hls | null = this.hls;
    const frag = this.fragCurrent;
    if (!hls || !frag || this.partCurrent || !hls.autoLevelEnabled || !hls.media) return;
    const lowest = hls.minAutoLevel;
    const buffered = hls.mainForwardBufferInfo?.len ?? 0;
    const starting = hls.media.paused && buffered === 0;
    if (frag.level <= lowest || (!starting && frag.level !== lowest + 1)) return;
    const stats = frag.stats;
    if (stats.aborted || (stats.loaded > 0 && stats.loaded === stats.total)) return;
    const loadingMs = performance.now() - stats.loading.start;
    if (loadingMs <= (frag.duration * 1000) / 2) return; // hls.js's patience, too
    const rate = stats.loaded > 0 ? (stats.loaded * 8000) / loadingMs : 0;
    const bandwidth: number = rate > 0 ? rate : this.bwEstimator.getEstimate();
    const level = hls.levels[frag.level];
    const expectedBytes = Math.max(stats.total, (frag.duration * level.bitrate) / 8);
    const finishIn = ((expectedBytes - stats.loaded) * 8) / bandwidth;
    if (finishIn <= buffered) return;
    const lowestIn = (frag.duration * hls.levels[lowest].bitrate) / bandwidth + 0.3;
    if (lowestIn >= finishIn) return;
    this.clearTimer();
    this.resetEstimator(bandwidth);
    hls.nextLoadLevel = lowest;
    this.nextAutoLevel = lowest;
    frag.abortRequests();
    this.fragCurrent = this.partCurrent = null;
    hls.trigger(Hls.Events.FRAG_LOAD_EMERGENCY_ABORTED, { frag, part: null, stats });
  }
}

interface BufferTrack {
  levelCodec?: string;
}

/** Written by package.py into each media playlist whose variants share one timeline. */
export const LEAD_IN_TAG = "#TONEARM-LEAD-IN:";

/** The lead-in (s) a media playlist declares for its package's shared timeline, else null. */
export function sharedLeadIn(details: LevelDetails | undefined | null): number | null {
  const text = details?.m3u8 ?? "";
  const at = text.indexOf(LEAD_IN_TAG);
  if (at < 0) return null;
  const value = parseFloat(text.slice(at + LEAD_IN_TAG.length));
  return Number.isFinite(value) ? value : null;
}

interface Appending {
  type: string;
  data: Uint8Array;
  frag: { level: number; sn: number | "initSegment"; start: number };
  offset?: number;
}

/** How far (s) hls.js's idea of where a fragment starts may be from where it lands: up to the
 * lead-in (at most 2047 samples, 46 ms), with room to spare. */
const PLACEMENT_SLACK = 0.1;

/** Where a segment of another variant starting at `start` should begin to be appended: the end
 * of the buffered range it starts in (or just after), else 0 (append it all). */
function switchWindow(buffered: TimeRanges, start: number): number {
  for (let i = 0; i < buffered.length; i++) {
    const end = buffered.end(i);
    if (buffered.start(i) - PLACEMENT_SLACK <= start && start < end + PLACEMENT_SLACK) return end;
  }
  return 0;
}

class CodecSwitchBufferController extends BufferBase {
  /** The SourceBuffer timestampOffset of the track's first media fragment, kept from then on. */
  private pinnedOffset: number | null = null;
  /** Media fragments on their way to the SourceBuffer, by their bytes. */
  private pending = new WeakMap<Uint8Array, { level: number; start: number }>();
  /** The level of the media fragment appended last. */
  private lastLevel = -1;

  onBufferAppending(event: unknown, data: Appending): void {
    const offset = data.offset;
    if (data.frag.sn !== "initSegment" && offset !== undefined && Number.isFinite(offset)) {
      const details = (this.hls as Hls | null)?.levels[data.frag.level]?.details;
      if (sharedLeadIn(details) !== null) {
        if (this.pinnedOffset === null) this.pinnedOffset = offset;
        else data.offset = this.pinnedOffset;
      }
      this.pending.set(data.data, { level: data.frag.level, start: data.frag.start });
    }
    super.onBufferAppending(event, data);
  }

  appendExecutor(data: Uint8Array, type: string): void {
    const sb: SourceBuffer | undefined = this.tracks?.[type]?.buffer;
    const media = this.pending.get(data);
    if (sb && media) {
      const switching = this.lastLevel >= 0 && media.level !== this.lastLevel;
      const windowStart = switching ? switchWindow(sb.buffered, media.start) : 0;
      if (sb.appendWindowStart !== windowStart) sb.appendWindowStart = windowStart;
      this.lastLevel = media.level;
    }
    super.appendExecutor(data, type);
  }

  onBufferCodecs(event: unknown, data: Record<string, { levelCodec?: string } | undefined>): void {
    super.onBufferCodecs(event, data);
    const tracks: Record<string, BufferTrack | undefined> = this.tracks ?? {};
    for (const name of Object.keys(data)) {
      const levelCodec = data[name]?.levelCodec;
      const track = tracks[name];
      if (track && levelCodec) track.levelCodec = levelCodec;
    }
  }
}

export function createHls(options: Partial<HlsConfig> = {}): Hls {
  return new Hls({
    abrController: CrossCodecAbrController as unknown as HlsConfig["abrController"],
    bufferController: CodecSwitchBufferController as unknown as HlsConfig["bufferController"],
    enableWorker: false,
    // Audio is small: hold a good stretch ahead, keep a little behind for short seeks back.
    maxBufferLength: 60,
    maxMaxBufferLength: 120,
    backBufferLength: 30,
    // Take the segment that holds the buffered end, not one starting up to 0.25 s after it (the
    // default's allowance for estimated times): on a switch the other variant's next segment
    // may start a frame or more later, and that gap was skipped (see 4. above).
    maxFragLookUpTolerance: 0.001,
    startFragPrefetch: true,
    testBandwidth: true,
    ...options,
  });
}

export { Hls };
export type { Level, LevelDetails };
