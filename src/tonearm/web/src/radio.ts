// Radio: a station started from a track, an artist, an album or a playlist becomes the play
// queue and plays its first track; when fewer than a few of its tracks are left to play, the
// station's next page is asked for and added at the end, so it plays on without end. Another
// queue (an album played, a playlist) ends the radio.
import { ApiError } from "./api";
import { h } from "./dom";
import type { Player } from "./player";
import type { QueueItem } from "./queue";
import { reasonTexts } from "./reasons";
import { recsApi, type Station } from "./recs-api";
import { queueOf } from "./views";

// Tracks left to play when the next page is asked for.
const NEAR_END = 5;
// How long to wait before asking again after a failure, or a page with nothing new.
const RETRY_MS = 10_000;

interface Tuned {
  id: string;
  next: string;
  asking: boolean;
  quietUntil: number;
}

type Say = (message: string) => void;
let player: Player | null = null;
let say: Say = () => undefined;
let tuned: Tuned | null = null;

/** Radio plays on `on`; what goes wrong is told through `tell`. */
export function mountRadio(on: Player, tell: Say): void {
  player = on;
  say = tell;
  on.subscribe(() => void topUp());
}

function itemsOf(station: Station): QueueItem[] {
  const playable = station.tracks.filter((track) => track.is_playable !== false);
  return queueOf(playable, station.seed_uri).map((item, index) => ({
    ...item,
    contextTitle: station.title,
    stationId: station.id,
    reasons: reasonTexts(playable[index].reasons),
  }));
}

function failure(error: unknown): string {
  return error instanceof ApiError ? error.message : (error as Error).message;
}

/** Start a station from `seedUri` (tonearm:track:…, :artist:, :album:, :playlist:) and play it. */
export async function startRadio(seedUri: string): Promise<void> {
  if (!player) return;
  let station: Station;
  try {
    station = await recsApi.startRadio(seedUri);
  } catch (error) {
    say(`The radio could not be started: ${failure(error)}`);
    return;
  }
  const items = itemsOf(station);
  if (!items.length) {
    say(`${station.title} has nothing you can play yet.`);
    return;
  }
  tuned = { id: station.id, next: station.next, asking: false, quietUntil: 0 };
  player.playQueue(items, 0);
}

/** Add the station's next page once the queue nears its end. */
async function topUp(): Promise<void> {
  if (!player || !tuned) return;
  const queue = player.queue;
  if (queue[queue.length - 1]?.stationId !== tuned.id) {
    tuned = null; // the queue is something else now
    return;
  }
  if (tuned.asking || Date.now() < tuned.quietUntil || queue.length - 1 - player.index > NEAR_END) return;
  const station = tuned;
  station.asking = true;
  try {
    const page = await recsApi.radioPage(station.next);
    if (tuned !== station) return;
    const items = itemsOf(page);
    station.next = page.next;
    if (items.length) player.appendToQueue(items);
    else station.quietUntil = Date.now() + RETRY_MS;
  } catch {
    // Asked again a little later: the queue still has a few tracks to play meanwhile.
    station.quietUntil = Date.now() + RETRY_MS;
  } finally {
    station.asking = false;
  }
}

/** The "Radio" button of an album, artist or playlist page. */
export function radioButton(seedUri: string, name: string): HTMLElement {
  return h(
    "button",
    {
      class: "pill",
      type: "button",
      "data-testid": "start-radio",
      title: `Play an endless station of music like ${name}`,
      onclick: () => void startRadio(seedUri),
    },
    "Radio",
  );
}
