// The queue: what plays, and what plays next.

export interface QueueItem {
  id: string;
  name: string;
  artists: string;
  albumId?: string;
  albumName?: string;
  /** The album's cover, as the catalog lists it (for the player bar). */
  albumImages?: { url: string; width: number | null }[];
  durationMs: number;
  /** What it is played from (a playlist's URI), when that is not its album. */
  contextUri?: string;
  /** What the context is called where it is shown ("Neon Orchard Radio"). */
  contextTitle?: string;
  /** The radio station it came from: the station grows as its queue nears the end. */
  stationId?: string;
  /** Why it was recommended, in the server's words, strongest first. */
  reasons?: string[];
}

export class Queue {
  items: QueueItem[] = [];
  /** The entry playing (or last played), -1 for none. */
  index = -1;

  get length(): number {
    return this.items.length;
  }

  replace(items: QueueItem[]): void {
    this.items = items.slice();
  }

  append(items: QueueItem[]): void {
    this.items = [...this.items, ...items];
  }

  clear(): void {
    this.items = [];
    this.index = -1;
  }

  has(index: number): boolean {
    return index >= 0 && index < this.items.length;
  }

  at(index: number): QueueItem {
    return this.items[index];
  }

  /** The entry after the one playing, or -1 at the end. */
  nextIndex(): number {
    return this.index + 1 < this.items.length ? this.index + 1 : -1;
  }

  hasNext(): boolean {
    return this.nextIndex() >= 0;
  }
}
