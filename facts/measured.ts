/** What this project measured itself, and how: the figures other layers default to. */

/**
 * Requests per second one frontend pod serves at its 500m CPU limit; the default of
 * podRequestsPerSecond. `npm run bench` measured 3,914 req/s on loopback (2026-11-27, 2 vCPUs,
 * access logs on); half of that leaves room for the real network, which a loopback run
 * never crosses.
 */
export const POD_REQUESTS_PER_SECOND = 2000;
