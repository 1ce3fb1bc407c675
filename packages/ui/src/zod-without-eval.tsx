import { z } from 'zod';

// zod 4 compiles object parsers with `new Function` when eval is allowed, and finds out by trying
// it: the Shell's CSP refuses eval, and the try is reported as a violation. Its interpreted
// parsers give the same results. Imported first by the browser code that parses with zod (the
// whiteboard's sync notices), so that zod is in only the pages that use it, not in every page's
// first load (30 KB gzip).
z.config({ jitless: true });
