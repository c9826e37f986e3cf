/**
 * Round trips to PostgreSQL per request, read from the server's own `/metrics` over HTTP:
 * `gatehouse_db_round_trips_total` (every statement the server sent, `begin` and `commit`
 * included) against `gatehouse_http_requests_total` (every answered request but the scrapes).
 * Both are exact counts, so the ratio does not depend on the machine's speed.
 */
export interface Counts {
  requests: number;
  roundTrips: number;
}

export async function readCounts(serverUrl: string): Promise<Counts> {
  const res = await fetch(`${serverUrl}/metrics`);
  if (!res.ok) throw new Error(`/metrics answered HTTP ${res.status}`);
  const text = await res.text();
  let requests = 0;
  let roundTrips: number | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("gatehouse_http_requests_total{") && !line.includes('route="/metrics"'))
      requests += Number(line.slice(line.lastIndexOf(" ") + 1));
    else if (line.startsWith("gatehouse_db_round_trips_total "))
      roundTrips = Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  if (roundTrips === undefined)
    throw new Error("/metrics has no gatehouse_db_round_trips_total (not PostgreSQL?)");
  return { requests, roundTrips };
}

/**
 * Counts once the server has answered everything in flight: the load generator stops sending at
 * the end of its last window, and the requests it had sent are still being answered.
 */
export async function settledCounts(serverUrl: string): Promise<Counts> {
  let last = await readCounts(serverUrl);
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await readCounts(serverUrl);
    if (now.requests === last.requests && now.roundTrips === last.roundTrips) return now;
    last = now;
  }
}

/** Round trips per unit of work between two readings (two requests per pair). */
export function roundTripsPer(before: Counts, after: Counts, requestsPerUnit: number): number {
  const requests = after.requests - before.requests;
  if (requests <= 0) return 0;
  return Math.round(((after.roundTrips - before.roundTrips) / requests) * requestsPerUnit * 100) / 100;
}
