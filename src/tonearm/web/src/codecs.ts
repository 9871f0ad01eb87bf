// What the player calls a codec and a rendition, and the loudness gain from the manifest.

export function codecName(codec: string): string {
  const c = codec.toLowerCase();
  if (c.startsWith("mp4a") || c === "aac") return "AAC";
  if (c.startsWith("opus")) return "Opus";
  if (c.startsWith("flac")) return "FLAC";
  if (c.startsWith("vorbis")) return "Vorbis";
  if (c === "mp3") return "MP3";
  return codec;
}

export function familyOf(codec: string): string {
  return codecName(codec).toLowerCase();
}

export function qualityLabel(codec: string, bitrate: number): string {
  const name = codecName(codec);
  if (name === "FLAC" || bitrate === 0) return `${name} lossless`;
  return `${name} ${Math.round(bitrate / 1000)} kbps`;
}

export function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}
