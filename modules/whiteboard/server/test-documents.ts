import type { WhiteboardDocument } from '@afenda/contracts';
import { emptyDocument } from './document.ts';

/** A rectangle as tldraw's editor writes it: every prop its validator requires. */
export function geoShape(id: string, x = 0, extra: Record<string, unknown> = {}) {
  return {
    id: `shape:${id}`,
    typeName: 'shape',
    type: 'geo',
    x,
    y: 0,
    rotation: 0,
    index: 'a1',
    parentId: 'page:page',
    isLocked: false,
    opacity: 1,
    meta: {},
    props: {
      geo: 'rectangle',
      dash: 'draw',
      url: '',
      w: 100,
      h: 80,
      growY: 0,
      scale: 1,
      flipX: false,
      flipY: false,
      labelColor: 'black',
      color: 'black',
      fill: 'none',
      size: 'm',
      font: 'draw',
      align: 'middle',
      verticalAlign: 'middle',
      richText: { type: 'doc', content: [] },
    },
    ...extra,
  };
}

/** tldraw's empty document plus these records. */
export function documentWith(
  ...records: { id: string; [key: string]: unknown }[]
): WhiteboardDocument {
  const doc = emptyDocument();
  for (const r of records) doc.store[r.id] = r as Record<string, unknown>;
  return doc as WhiteboardDocument;
}
