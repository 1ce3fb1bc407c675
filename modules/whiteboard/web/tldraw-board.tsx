'use client';

// First: zod without eval (the CSP refuses it) before any schema parses.
import '@afenda/ui/zod-without-eval';
import { whiteboardSyncNoticeSchema } from '@afenda/contracts';
import { useSync } from '@tldraw/sync';
import { useTheme } from 'next-themes';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { inlineBase64AssetStore, Tldraw, type Editor, type TLAssetStore } from 'tldraw';
import 'tldraw/tldraw.css';

import { useBoardActions } from './board-actions';
import { assetUrls } from './tldraw-asset-urls';

/**
 * The tldraw editor on the board's live room. Each (re)connection asks the Shell's server for
 * a fresh single-use ticket: the access token never reaches the browser.
 */
export function TldrawBoard({
  boardId,
  limitBytes,
  readonly,
  licenseKey,
  userName,
}: {
  boardId: string;
  limitBytes: number;
  readonly: boolean;
  /** tldraw's license (production); unset, tldraw falls back to NEXT_PUBLIC_TLDRAW_LICENSE_KEY. */
  licenseKey: string | undefined;
  /** Shown to the others beside this user's cursor. */
  userName: string;
}) {
  const [notice, setNotice] = useState<string | null>(null);
  const { resolvedTheme } = useTheme();
  const [editor, setEditor] = useState<Editor | null>(null);
  // The Shell's theme and the signed-in user's name, now and whenever the theme changes.
  useEffect(() => {
    editor?.user.updateUserPreferences({
      name: userName,
      colorScheme: resolvedTheme === 'dark' ? 'dark' : 'light',
    });
  }, [editor, resolvedTheme, userName]);

  // Images are kept inside the board (base64), so they count towards its size limit: a file
  // that cannot fit is refused here, with a message, before anyone uploads it.
  const assets = useMemo<TLAssetStore>(
    () => ({
      ...inlineBase64AssetStore,
      upload: async (asset, file, abortSignal) => {
        if (file.size * 1.37 > limitBytes) {
          const message = `“${file.name}” is too large for this board (limit ${Math.round(limitBytes / 1024 / 1024)} MiB with everything on it).`;
          setNotice(message);
          throw new Error(message);
        }
        return inlineBase64AssetStore.upload(asset, file, abortSignal);
      },
    }),
    [limitBytes],
  );

  // useSync reconnects when any of its options changes identity: keep them stable (the
  // action's own identity may change when the Shell re-renders the page).
  const { boardSyncUrl } = useBoardActions();
  const syncUrl = useRef(boardSyncUrl);
  useEffect(() => {
    syncUrl.current = boardSyncUrl;
  }, [boardSyncUrl]);
  const uri = useCallback(async () => {
    const result = await syncUrl.current(boardId);
    if (!result.ok) throw new Error(result.message);
    return result.data;
  }, [boardId]);
  const onCustomMessageReceived = useCallback((data: unknown) => {
    const parsed = whiteboardSyncNoticeSchema.safeParse(data);
    if (parsed.success) setNotice(parsed.data.message);
  }, []);
  const store = useSync({ uri, assets, onCustomMessageReceived });

  if (store.status === 'error') {
    return (
      <div role="alert" className="flex h-full items-center justify-center p-6 text-center">
        <p className="max-w-md text-sm text-muted-foreground">
          The board could not be opened live: {store.error.message}. Reload the page to try again.
        </p>
      </div>
    );
  }

  return (
    <>
      {notice ? (
        <div
          role="alert"
          className="absolute inset-x-3 top-3 z-[1000] flex items-start gap-3 rounded-lg border bg-background p-3 text-sm shadow"
          data-testid="board-notice"
        >
          <p className="flex-1">{notice}</p>
          <button
            type="button"
            className="text-muted-foreground underline-offset-4 hover:underline"
            onClick={() => setNotice(null)}
          >
            Dismiss
          </button>
        </div>
      ) : null}
      <Tldraw
        store={store}
        licenseKey={licenseKey}
        assetUrls={assetUrls}
        onMount={(mounted) => {
          mounted.updateInstanceState({ isReadonly: readonly });
          setEditor(mounted);
        }}
      />
    </>
  );
}
