/**
 * The one monotonic clock shared by every thread of the process (and by processes on the same
 * machine): CLOCK_MONOTONIC through `process.hrtime`, in nanoseconds, as a plain number.
 *
 * A float64 holds these integers exactly up to 2^53 ns (104 days of uptime); beyond that the
 * resolution degrades gracefully to 2 ns, then 4 ns (about 1.1 years of uptime). That is far
 * finer than anything we measure, and these are timestamps, never money.
 *
 * Cost: one `process.hrtime()` call, ≈ 40–80 ns (it allocates a two-element array).
 */
export function monoNs(): number {
  const t = process.hrtime();
  return t[0] * 1e9 + t[1];
}
