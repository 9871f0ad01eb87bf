// The artist portal's calls of /v1 (Tonearm's own, beyond Spotify's): an artist account's
// streams and listeners, and the royalty statements of its artists' rightsholders. Money comes
// as whole numbers in the currency's minor units (öre, cents).
import { getJson, type Me } from "./api";

export interface DayStreams {
  day: string; // YYYY-MM-DD, UTC
  streams: number;
  listeners: number;
}

export interface MarketStreams {
  market: string;
  streams: number;
  listeners: number;
}

export interface TopTrack {
  track_id: string;
  name: string;
  streams: number;
  listeners: number;
}

export interface ArtistStats {
  since: string;
  until: string;
  streams: number;
  listeners: number;
  days: DayStreams[]; // only the days with streams
  markets: MarketStreams[];
  top_tracks: TopTrack[];
}

export interface Rightsholder {
  id: string;
  name: string;
}

/** One month's money for one rightsholder in one currency: the account's own tracks only. */
export interface StatementEntry {
  month: string; // YYYY-MM
  run: number;
  provisional: boolean;
  rightsholder: Rightsholder;
  currency: string;
  streams: number;
  amount_minor: number;
}

export interface StatementTotal {
  currency: string;
  streams: number;
  amount_minor: number;
}

export interface StatementLine {
  track_id: string;
  market: string;
  product: string;
  currency: string;
  streams: number;
  amount_minor: number;
}

export interface Statement {
  month: string;
  run: number;
  provisional: boolean;
  model: string;
  rightsholder: Rightsholder;
  totals: StatementTotal[];
  lines: StatementLine[];
}

/** Whether the signed-in account speaks for catalog artists: its role, as /v1/me names it. */
export function isArtistAccount(me: Me): boolean {
  return (me as Me & { role?: string }).role === "artist";
}

export const royaltiesApi = {
  /** The account's streams of the last `days` days, today (UTC) included. */
  stats(days: number, signal?: AbortSignal): Promise<ArtistStats> {
    return getJson<ArtistStats>(`/v1/me/artist/stats?days=${days}`, signal);
  },
  async statements(signal?: AbortSignal): Promise<StatementEntry[]> {
    return (await getJson<{ items: StatementEntry[] }>("/v1/me/artist/statements", signal)).items;
  },
  statement(month: string, rightsholderId: string, signal?: AbortSignal): Promise<Statement> {
    const path = `${encodeURIComponent(month)}/${encodeURIComponent(rightsholderId)}`;
    return getJson<Statement>(`/v1/me/artist/statements/${path}`, signal);
  },
};
