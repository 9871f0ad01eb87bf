// The gapless join: preparing the next track on the other deck, and starting it so that its
// first real sample renders on the sample after the current track's last one.
//
// Some seconds before the playing track ends, the other deck fetches the next track's manifest
// and buffers its start, paused on its first real sample. The join is done on the AudioContext
// clock, which both media elements follow sample for sample once routed through Web Audio
// (measured: currentTime - context.currentTime stays within one 128-frame render quantum):
//   1. While a deck plays, the offset between its currentTime and context.currentTime is
//      tracked, which says at which context time its last real sample (endAt) will render.
//   2. ~150 ms before that, the next deck starts playing behind its DelayNode, set long.
//   3. As soon as its clock moves, the context time of its first sample is known; its delay is
//      set so that sample renders exactly when the previous track's last one has, and the
//      previous deck's gain is scheduled to drop to 0 at that same context time (cutting any
//      encoder padding it would play after its last real sample).
// A timer on the wall clock only has to start step 2 roughly on time, so the join does not
// depend on the `ended` event, nor on timer or requestAnimationFrame precision.
import { MAX_DELAY, type Deck } from "./deck";
import type { Queue } from "./queue";

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

/** Seconds before a track's end at which the next one is prefetched. */
const PREFETCH_AHEAD = 25;
/** How long before the current track's end the next deck starts, behind its delay (s). */
const JOIN_LEAD = 0.15;
/** Below this much time left, a join can no longer be aligned and starts at once (s). */
const TOO_LATE = 0.025;
/** Clock readings of the next deck taken to find its start in a join. */
const START_READINGS = 10;

/** What the join asks of the player. */
export interface GaplessHost {
  readonly context: AudioContext | null;
  readonly current: Deck;
  readonly other: Deck;
  readonly queue: Queue;
  readonly wantPlay: boolean;
  /** Make `deck` the one playing, its queue entry the current one. */
  makeCurrent(deck: Deck): void;
  /** Load queue entry `index` into `deck`, to wait paused as the next track. */
  prefetch(deck: Deck, index: number): void;
  startDeck(deck: Deck): void;
  changed(): void;
  /** `to` took over from `from`: `from`'s last real sample renders at context time `endCtx`. */
  joined(from: Deck, to: Deck, endCtx: number): void;
  /** The join just reported was undone before `from` ended: `from` plays on. */
  joinUndone(from: Deck, to: Deck): void;
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

export class Gapless {
  joins: JoinRecord[] = [];
  private joinTimer = 0;
  private pollTimer = 0;
  private join: Join | null = null;
  /** A prefetch that failed is not tried again for a while. */
  private prefetchBlocked = { index: -1, until: 0 };

  constructor(private readonly host: GaplessHost) {}

  /** The prefetch of queue entry `index` failed: leave it alone for a while. */
  blockPrefetch(index: number): void {
    this.prefetchBlocked = { index, until: performance.now() + 10_000 };
  }

  /** Called every frame (and on a timer in background tabs): track the playing deck's clock,
   * prefetch the next track when due, and start the join roughly on time. */
  tick(): void {
    const host = this.host;
    const context = host.context;
    const deck = host.current;
    if (this.join) this.settleJoin();
    if (!context || !deck.item || !deck.ready || deck.audio.paused || !host.wantPlay) return;
    const audio = deck.audio;
    if (!audio.seeking && audio.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA) {
      deck.clock.add(audio.currentTime, context.currentTime);
    }
    if (this.join || this.joinTimer) return;
    const nextIndex = host.queue.index + 1;
    if (nextIndex >= host.queue.length) return;
    const rate = audio.playbackRate || 1;
    const remaining = (deck.endAt - audio.currentTime) / rate;
    const other = host.other;
    const blocked =
      this.prefetchBlocked.index === nextIndex && performance.now() < this.prefetchBlocked.until;
    // Prefetch once a bandwidth estimate exists (a second in), for the next track's first rung.
    const played = audio.currentTime - deck.startAt;
    const due = remaining < PREFETCH_AHEAD && (played > 1 || remaining < 4);
    if (due && other.index !== nextIndex && !other.draining && !blocked) {
      host.prefetch(other, nextIndex);
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
    const context = this.host.context;
    if (!context) return null;
    const offset = deck.clock.get();
    if (offset !== null) return deck.endAt - offset + deck.delaySeconds;
    // Not enough clock readings yet: use this one.
    return deck.endAt - deck.audio.currentTime + context.currentTime + deck.delaySeconds;
  }

  /** `plannedEnd`: the context time of `from`'s last sample when the join was planned. */
  private startJoin(from: Deck, to: Deck, plannedEnd: number): void {
    const host = this.host;
    const context = host.context;
    // A deck that took over in a join plays behind a delay about as long as the lead, so its
    // element may have ended already while its last moments are still in the delay line.
    const stopped = from.audio.paused && !from.audio.ended;
    if (!context || from !== host.current || stopped || !host.wantPlay) return;
    if (to.index !== host.queue.index + 1 || !to.ready || to.started || to.draining) return;
    // An ended element's clock was reset by its `pause`: keep the end found while it played.
    const endCtx = from.audio.ended ? plannedEnd : this.endContextTime(from);
    if (endCtx === null) return;
    const left = endCtx - context.currentTime;
    host.makeCurrent(to);
    from.draining = true;
    host.joined(from, to, endCtx);
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
    host.startDeck(to);
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
    host.changed();
  }

  /** Reset a deck that handed over, once its delayed audio up to its last sample has rendered. */
  finishDraining(deck: Deck): void {
    if (!deck.draining) return;
    const context = this.host.context;
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
    const context = this.host.context;
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
    this.host.changed();
  }

  /** Undo a join in progress (pause, seek, skip): the previous deck stays the current one. */
  abort(): void {
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.joinTimer = 0;
    const join = this.join;
    if (!join) return;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = 0;
    this.join = null;
    const context = this.host.context;
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
    this.host.makeCurrent(from);
    this.host.joinUndone(from, to);
  }
}
