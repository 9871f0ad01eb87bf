// Reads, from a CMAF/fMP4 init segment, how many priming samples its edit list already skips.
//
// Chromium's MSE drops what the edit list says and nothing else: with elst media_time 0 (what
// ffmpeg's HLS muxer writes when copying AAC, and what Tonearm serves) the 1024-1640 AAC priming
// samples play as 23-37 ms of silence, which the player then skips itself. Opus carries its
// pre-skip in the dOps box and the decoder drops it. (Measured caveat: with an edit list that
// does skip the priming, a paused element prefetched by hls.js later starts playing 1024 samples
// in, i.e. the first 23 ms of the track are lost; so packaging without one is the better choice
// for this player.)

export interface InitInfo {
  /** The mdhd timescale of the audio track (its sample rate, for audio written by ffmpeg). */
  timescale: number;
  /** Edit list media_time in timescale units: what the browser skips at the start. */
  editSkip: number;
}

const CONTAINERS = new Set(["moov", "trak", "mdia", "edts"]);

function boxes(view: DataView, start: number, end: number, found: Map<string, number[]>): void {
  let at = start;
  while (at + 8 <= end) {
    let size = view.getUint32(at);
    const type = String.fromCharCode(
      view.getUint8(at + 4),
      view.getUint8(at + 5),
      view.getUint8(at + 6),
      view.getUint8(at + 7),
    );
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) return;
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < header || at + size > end) return;
    if (!found.has(type)) found.set(type, [at, size]);
    if (CONTAINERS.has(type)) boxes(view, at + header, at + size, found);
    at += size;
  }
}

export function readInit(data: ArrayBuffer): InitInfo | null {
  try {
    const view = new DataView(data);
    const found = new Map<string, number[]>();
    boxes(view, 0, view.byteLength, found);
    const mdhd = found.get("mdhd");
    if (!mdhd) return null;
    const [m] = mdhd;
    const timescale = view.getUint8(m + 8) === 1 ? view.getUint32(m + 28) : view.getUint32(m + 20);
    let editSkip = 0;
    const elst = found.get("elst");
    if (elst) {
      const [e] = elst;
      const version = view.getUint8(e + 8);
      const count = view.getUint32(e + 12);
      if (count > 0) {
        // The first entry; an empty edit (media_time -1) shifts the start the other way.
        const mediaTime =
          version === 1 ? Number(view.getBigInt64(e + 16 + 8)) : view.getInt32(e + 16 + 4);
        editSkip = Math.max(mediaTime, 0);
      }
    }
    return timescale > 0 ? { timescale, editSkip } : null;
  } catch {
    return null;
  }
}
