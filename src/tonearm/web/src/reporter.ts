// The reporter: what the player plays, as playback events for the server (sent by outbox.ts).
//
// One play at a time, from its first heard audio to its end:
//   play.start     the track begins playing (a user's choice, or the gapless join into it)
//   play.progress  every PROGRESS_MS of audio played
//   play.pause / play.resume / play.seek (position after the seek)
//   play.skip      the user moved on to another track mid-play
//   play.end       it played to its end (in a join: when its last sample renders), or the
//                  player stopped
// ms_played is cumulative for the play, by media time: each step the element's clock moves
// forward while it plays counts, so it is right at any playbackRate; a seek (or a reload of the
// track) moves the clock without counting, and nothing past the last real sample counts.
// A play begins by observation (the current deck is seen playing with no play going on); the
// player says when one ends and why, and when the user pauses, resumes or seeks.
import type { Deck } from "./deck";
import type { Outbox, PlayEventType } from "./outbox";
import type { QueueItem } from "./queue";

const PROGRESS_MS = 10_000;
const DEVICE_KEY = "tonearm.device_id";

/** What the reporter reads from the player. */
export interface PlaybackSource {
  readonly current: Deck;
  /** Whether the user wants it playing (not paused). */
  readonly wantsPlay: boolean;
  readonly contextTime: number | null;
}

/** Why a play ends when the player moves off it. */
export type LeaveCause = "skip" | "end";

/** What the player tells whoever reports its playback. */
export interface PlaybackObserver {
  /** Every frame (and on a timer in background tabs). */
  tick(): void;
  /** The player is about to move off the track playing (to another, or to nothing). */
  leaving(cause: LeaveCause): void;
  paused(): void;
  resumed(): void;
  /** Before a seek moves the clock, then after. */
  seeking(): void;
  sought(): void;
  /** A gapless join: `to` took over, `from`'s last real sample renders at context `endCtx`. */
  joined(from: Deck, to: Deck, endCtx: number): void;
  /** ...undone before `from` ended. */
  joinUndone(): void;
}

interface Play {
  deck: Deck;
  item: QueueItem;
  /** The deck's generation when last read: a new one means it reloaded the track. */
  generation: number;
  /** Media time read last (s), null when the next reading is only a new baseline. */
  pos: number | null;
  /** performance.now() at that reading. */
  wall: number;
  /** Seconds of audio played. */
  played: number;
  nextProgress: number;
  paused: boolean;
}

/** A join whose previous track has not yet played its last sample. */
interface Handover {
  from: Play;
  to: Deck;
  endCtx: number;
  /** The previous play's ms_played and position once it has played out (s). */
  played: number;
  position: number;
}

function randomId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** This browser's device id: made once, kept in localStorage. */
export function deviceId(): string {
  let id: string | null = null;
  try {
    id = localStorage.getItem(DEVICE_KEY);
  } catch {
    // storage refused: a new id for this page
  }
  if (id && ID_PATTERN.test(id)) return id;
  id = randomId();
  try {
    localStorage.setItem(DEVICE_KEY, id);
  } catch {
    // kept for this page only
  }
  return id;
}

export class Reporter implements PlaybackObserver {
  private play: Play | null = null;
  private handover: Handover | null = null;
  readonly device = deviceId();

  constructor(
    private readonly source: PlaybackSource,
    private readonly outbox: Outbox,
  ) {}

  tick(): void {
    const handover = this.handover;
    if (handover) {
      const now = this.source.contextTime;
      if (now === null || now < handover.endCtx) return;
      this.endHandover();
      this.beginIfPlaying(true);
      return;
    }
    const play = this.play;
    const deck = this.source.current;
    if (play && (play.deck !== deck || play.item !== deck.item)) {
      // Moved off without a word (should not happen): it ended there.
      this.finish(play, "play.end");
    } else if (play) {
      this.read(play);
      if (!play.paused && play.played * 1000 >= play.nextProgress) {
        this.send("play.progress", play);
        play.nextProgress = (Math.floor((play.played * 1000) / PROGRESS_MS) + 1) * PROGRESS_MS;
      }
      return;
    }
    this.beginIfPlaying(false);
  }

  leaving(cause: LeaveCause): void {
    if (this.handover) {
      // The previous track plays out on its own; the next one was never heard.
      this.endHandover();
      return;
    }
    const play = this.play;
    if (!play) return;
    this.read(play);
    this.finish(play, cause === "skip" ? "play.skip" : "play.end");
  }

  paused(): void {
    if (this.handover) this.endHandover();
    const play = this.play;
    if (!play || play.paused) return;
    this.read(play);
    play.paused = true;
    this.send("play.pause", play);
    void this.outbox.flush();
  }

  resumed(): void {
    const play = this.play;
    if (!play || !play.paused) return;
    play.paused = false;
    this.read(play);
    this.send("play.resume", play);
  }

  seeking(): void {
    if (this.handover) this.endHandover();
    if (this.play) this.read(this.play);
  }

  sought(): void {
    const play = this.play;
    if (!play) return;
    play.pos = null;
    this.send("play.seek", play);
  }

  joined(from: Deck, to: Deck, endCtx: number): void {
    const play = this.play;
    if (!play || play.deck !== from) return;
    this.read(play);
    // It plays on to its last real sample, unheard of by the clock readings from here on.
    const rest = play.pos === null ? 0 : Math.max(from.endAt - play.pos, 0);
    this.handover = {
      from: play,
      to,
      endCtx,
      played: play.played + rest,
      position: Math.max(from.endAt - from.startAt, 0),
    };
  }

  joinUndone(): void {
    this.handover = null;
  }

  // ----------------------------------------------------------------------------------------

  private endHandover(): void {
    const handover = this.handover;
    if (!handover) return;
    this.handover = null;
    const play = handover.from;
    play.played = handover.played;
    this.finish(play, "play.end", handover.position);
  }

  /** A play begins when the current deck is seen playing a track with none going on. */
  private beginIfPlaying(joined: boolean): void {
    const deck = this.source.current;
    const item = deck.item;
    if (!item || !deck.ready || !deck.started || deck.audio.paused || !this.source.wantsPlay) return;
    const play: Play = {
      deck,
      item,
      generation: deck.generation,
      pos: deck.audio.seeking ? null : deck.audio.currentTime,
      wall: performance.now(),
      played: 0,
      nextProgress: PROGRESS_MS,
      paused: false,
    };
    let position: number | undefined;
    let credit = 0;
    if (joined) {
      // Its first real sample renders now; what its element has played so far sits in its
      // delay line, heard from now on.
      position = 0;
      if (play.pos !== null) credit = Math.min(Math.max(play.pos - deck.startAt, 0), 1);
    } else if (play.pos !== null) {
      // Seen a frame or so after it started from where it was asked to: that counts too.
      const origin = deck.startAt + deck.at;
      const since = play.pos - origin;
      if (since >= 0 && since < 0.5 * Math.max(deck.audio.playbackRate || 1, 1)) {
        credit = since;
        position = deck.at;
      }
    }
    this.play = play;
    this.send("play.start", play, position); // ms_played 0: the play starts here
    play.played = credit;
    void this.outbox.flush();
  }

  /** Count what the element's clock moved forward since the last reading. */
  private read(play: Play): void {
    const { deck } = play;
    const audio = deck.audio;
    const now = performance.now();
    if (deck.generation !== play.generation || !deck.ready || audio.seeking) {
      play.generation = deck.generation;
      play.pos = null;
      play.wall = now;
      return;
    }
    const t = Math.min(audio.currentTime, deck.endAt);
    if (play.pos !== null) {
      const delta = t - play.pos;
      // A jump the elapsed time cannot explain is a seek that went unseen: not counted.
      const rate = Math.max(audio.playbackRate || 1, 1);
      const limit = ((now - play.wall) / 1000) * rate * 1.5 + 0.25;
      if (delta > 0 && delta <= limit) play.played += delta;
    }
    play.pos = t;
    play.wall = now;
  }

  private finish(play: Play, type: "play.end" | "play.skip", position?: number): void {
    this.play = null;
    this.send(type, play, position);
    void this.outbox.flush();
  }

  private send(type: PlayEventType, play: Play, position?: number): void {
    const { item, deck } = play;
    const length = Math.max(deck.endAt - deck.startAt, 0);
    const here = deck.item === item ? deck.position : 0;
    const at = position ?? (deck.ready && length > 0 ? Math.min(here, length) : here);
    this.outbox.add({
      type,
      event_id: randomId(),
      track_id: item.id,
      context_uri: item.contextUri ?? (item.albumId ? `tonearm:album:${item.albumId}` : null),
      device_id: this.device,
      position_ms: Math.max(Math.round(at * 1000), 0),
      ms_played: Math.max(Math.round(play.played * 1000), 0),
      timestamp: new Date().toISOString(),
      offline: !navigator.onLine,
    });
  }
}
