'use client';

import { z } from 'zod';

// zod 4 compiles object parsers with `new Function` when eval is allowed, and finds out by trying
// it: the Shell's CSP refuses eval, and the try is reported as a violation. Its interpreted
// parsers give the same results. Set as this module loads, before any schema parses in the page.
z.config({ jitless: true });

/** Rendered once by the root layout, for the setting above. */
export function ZodWithoutEval() {
  return null;
}
