// Picking the rung: a session-wide bandwidth estimate, and the level a new hls.js starts on.
//
// hls.js's own estimator wants several fragments, and a track is often one or two; so the
// player keeps an estimate across tracks too, for the next track's first rung. (Switching rungs
// mid-track is hls.js's ABR, made to work across codecs in hlsx.ts.)
import type { Hls } from "./hlsx";

/** Fragment load stats as hls.js reports them (FRAG_LOADED). */
interface LoadStats {
  loaded: number;
  loading: { start: number; end: number };
}

export class Abr {
  /** Bits per second, 0 before anything was measured. */
  bandwidth = 0;

  /** What a new hls.js instance is given: the estimate so far, as its default. */
  hlsOptions(): { abrEwmaDefaultEstimate?: number } {
    return this.bandwidth > 0 ? { abrEwmaDefaultEstimate: this.bandwidth } : {};
  }

  /** A media fragment arrived: fold its throughput into the estimate (if it says enough). */
  measure(stats: LoadStats): void {
    const { loaded, loading } = stats;
    const seconds = (loading.end - loading.start) / 1000;
    if (loaded > 16_384 && seconds > 0) {
      const sample = (loaded * 8) / seconds;
      this.bandwidth = this.bandwidth ? 0.6 * this.bandwidth + 0.4 * sample : sample;
    }
  }

  /** The level a new hls.js starts on: the best that fits the bandwidth measured so far (with
   * hls.js's own safety factor), or hls.js's choice (-1) before anything was measured. */
  startLevel(hls: Hls): number {
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
}
