'use client';

import { createContext, useContext, type ReactNode } from 'react';

import type { BoardActions } from './types';

const Actions = createContext<BoardActions | null>(null);

/** Hands the Shell's server actions on boards to the board parts below. */
export function BoardActionsProvider({
  actions,
  children,
}: {
  actions: BoardActions;
  children: ReactNode;
}) {
  return <Actions.Provider value={actions}>{children}</Actions.Provider>;
}

export function useBoardActions(): BoardActions {
  const actions = useContext(Actions);
  if (!actions) throw new Error('useBoardActions outside a BoardActionsProvider');
  return actions;
}
