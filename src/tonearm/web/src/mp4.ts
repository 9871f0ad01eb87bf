// Reads, from a CMAF/fMP4 init segment, how much of the codec's lead-in the browser drops by
// itself before the first sample it plays.
//
// Chromium's MSE drops what the edit list says and nothing else: with elst media_time 0 (what
// ffmpeg's HLS muxer writes when copying AAC, and what Tonearm serves) the 1024-2047 AAC priming
// samples play as 23-46 ms of silence, which the player then skips itself. Opus names its
// pre-skip in the dOps box, and Chromium drops that many samples each time its decoder starts;
// Tonearm's packages say 0 there and keep the pre-skip on the timeline as AAC's priming is (see
// package.py: otherwise every switch away from Opus lost 6.5 ms). (Measured caveat: with an edit
// list that does skip the priming, a paused element prefetched by hls.js later starts playing
// 1024 samples in, i.e. the first 23 ms of the track are lost; so packaging without one is the
// better choice for this player.)

export interface InitInfo {
  /** The mdhd timescale of the audio track (its sample rate, for audio written by ffmpeg). */
  timescale: number;
  /** Edit list media_time in timescale units: what the browser skips at the start. */
  editSkip: number;
  /** The Opus PreSkip in 48 kHz samples, which the decoder drops; null when not Opus. */
  opusPreSkip: number | null;
}

/** Bytes between a box's header and its first child, for the boxes whose children we read. */
const CHILDREN_AT: Record<string, number> = {
  moov: 0,
  trak: 0,
  mdia: 0,
  edts: 0,
  minf: 0,
  stbl: 0,
  stsd: 8,
  Opus: 28,
};

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
    const children = CHILDREN_AT[type];
    if (children !== undefined) boxes(view, at + header + children, at + size, found);
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
    const dops = found.get("dOps");
    // dOps: Version, OutputChannelCount, then PreSkip (16 bits).
    const opusPreSkip = dops ? view.getUint16(dops[0] + 8 + 2) : null;
    return timescale > 0 ? { timescale, editSkip, opusPreSkip } : null;
  } catch {
    return null;
  }
}
