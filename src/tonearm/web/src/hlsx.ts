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
import Hls from "hls.js/light";
import type { HlsConfig, Level } from "hls.js";

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

class CodecSwitchBufferController extends BufferBase {
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
    startFragPrefetch: true,
    testBandwidth: true,
    ...options,
  });
}

export { Hls };
export type { Level };
