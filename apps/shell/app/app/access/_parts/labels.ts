import type { AccessStatus, AccessTool } from '@/lib/api/access';

/** How each state of a person's access reads (the chip's label and what it means). */
export const STATUS: Record<AccessStatus, { label: string; hint: string }> = {
  in_sync: { label: 'In sync', hint: 'The tool holds exactly what Keycloak grants' },
  repaired: { label: 'Repaired', hint: 'Drifted (a local edit in the tool) and set back' },
  pending: { label: 'Pending', hint: 'A change is on its way to the tool' },
  failing: { label: 'Failing', hint: 'The tool did not take the change' },
};

export const TRIGGER: Record<string, string> = {
  startup: 'at start',
  schedule: 'on schedule',
  manual: 'Sync now',
  directory: 'after a directory change',
  drift: 'after drift',
  webhook: 'on a nudge',
  login: 'at sign-in',
};

export const RUN_STATUS: Record<string, string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  skipped: 'Skipped',
};

/** How a tool meets a local edit, said for people. */
export function guardText(tool: Pick<AccessTool, 'name' | 'guard'>): string {
  return tool.guard === 'prevented'
    ? `Prevented by ${tool.name}'s own rules; anything that slips through is repaired`
    : `Repaired on every run: ${tool.name} can't refuse local edits, so each run reads them back and sets them back`;
}

/** A run's counts (the API's result is open-ended: only numbers are read); null when it has none. */
export function runCounts(result: Record<string, unknown>) {
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const [checked, changed, failed] = [n(result.checked), n(result.changed), n(result.failed)];
  if (checked === null && changed === null && failed === null) return null;
  return { checked: checked ?? 0, changed: changed ?? 0, failed: failed ?? 0 };
}

/** A value as the directory wants it or the tool has it; null is "nothing". */
export const valueText = (value: string | null) => value ?? 'nothing';
