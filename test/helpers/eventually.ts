/**
 * Polls `read` until `accept` holds for its value (or the time runs out), then returns the value.
 * For state that another process updates shortly after an event we can see (a mail arrives before
 * the workflow has recorded the activity's result).
 */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}
