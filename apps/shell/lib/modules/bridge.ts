/**
 * The message bridge between the Shell and an embedded tool (window.postMessage). Only messages
 * from the frame's own window and the tool's exact origin are read; only these shapes act.
 */
export type BridgeMessage =
  | { type: 'afenda:ready' }
  | { type: 'afenda:navigate'; path: string }
  | { type: 'afenda:title'; title: string };

export function isFromFrame(
  event: { origin: string; source: unknown },
  expectedOrigin: string,
  frameWindow: unknown,
): boolean {
  return event.origin === expectedOrigin && frameWindow != null && event.source === frameWindow;
}

function hasControlOrBackslash(text: string): boolean {
  for (const ch of text) if (ch === '\\' || ch.charCodeAt(0) < 0x20) return true;
  return false;
}

export function parseBridgeMessage(data: unknown): BridgeMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Record<string, unknown>;
  if (d.type === 'afenda:ready') return { type: 'afenda:ready' };
  // Navigation stays inside the Shell: a path under /app, never a URL or a protocol-relative one.
  if (
    d.type === 'afenda:navigate' &&
    typeof d.path === 'string' &&
    /^\/app(?:[/?#]|$)/.test(d.path) &&
    !d.path.startsWith('//') &&
    !hasControlOrBackslash(d.path)
  )
    return { type: 'afenda:navigate', path: d.path };
  if (d.type === 'afenda:title' && typeof d.title === 'string')
    return { type: 'afenda:title', title: d.title.slice(0, 200) };
  return null;
}
