// The page benchmark's people, in a process of their own: `people` loops fetch one URL until
// `total` requests were made, each reading the whole body, and the latencies go to stdout as JSON.
// Apart from the HTTP server so that what is measured is the server's answer, not the load
// generator's own HTTP client competing with it for one event loop (as 50 people on their own
// machines would not). Plain JavaScript, run by `node` with no loader.
/* global performance, fetch, AbortSignal */
const { url, headers, total, people, timeoutMs } = JSON.parse(process.argv[2]);

const latencies = [];
let errors = 0;
let firstError;
let issued = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: people }, async () => {
    while (issued < total) {
      issued++;
      const t = performance.now();
      try {
        const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
        await response.arrayBuffer();
        if (response.status !== 200) {
          errors++;
          firstError ??= `HTTP ${response.status}`;
        }
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      latencies.push(performance.now() - t);
    }
  }),
);
process.stdout.write(
  JSON.stringify({ latencies, errors, ...(firstError && { firstError }), seconds: (performance.now() - t0) / 1000 }),
);
