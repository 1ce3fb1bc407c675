import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Baseline', robots: { index: false } };

/**
 * Empty on purpose: bench/shell-pages.bench.ts measures the framework's own cost (Next.js and
 * the root layout, from the same build) against this page, beside the Shell's real pages.
 */
export default function BarePage() {
  return (
    <main className="p-8">
      <h1 className="text-xl font-semibold">Baseline</h1>
    </main>
  );
}
