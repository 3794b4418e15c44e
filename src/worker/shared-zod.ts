/**
 * Preloaded into the worker's reusable V8 context (src/worker/workflow-bundle-options.ts), so zod
 * is evaluated once for every workflow instead of once per cached workflow. It exports nothing:
 * the SDK deep-freezes what shared modules export, and zod's schemas (built per workflow by the
 * domain modules) memoise their methods on themselves, which a frozen schema could not.
 */
import { z } from 'zod';
import { util } from 'zod/v4/core';

// What zod sets up once on its own module objects, which the SDK is about to freeze, it must set
// up now: whether it may compile parsers with `new Function`, and its default locale (installed
// when the first schema is built). One schema of the common kinds, parsed once, does both.
void util.allowsEval.value;
z.object({ text: z.string().email(), n: z.number().int(), list: z.array(z.enum(['a'])).optional() }).safeParse({
  text: 'a@b.se',
  n: 1,
});
