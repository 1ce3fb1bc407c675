/**
 * How a module's Shell UI (modules/<id>/web) meets the Shell: pages by their path below the
 * module's own (/app/<id>/…), and a panel for the pages of other things. The Shell hands each
 * page `shell`: the data and server actions it needs (the module says which, as its type `S`),
 * so a module's UI never imports the Shell and the Shell reaches it through one registry.
 */
import { createElement, type ReactNode } from 'react';

export type SearchParams = Record<string, string | string[] | undefined>;

export interface ModulePageProps<S> {
  /** The path below the module's, e.g. `['1234']` for /app/video/1234. */
  path: string[];
  searchParams: SearchParams;
  shell: S;
}

export interface ModulePage<S> {
  /** The page's title (the browser tab). */
  title: string;
  render: (props: ModulePageProps<S>) => ReactNode | Promise<ReactNode>;
}

/** Something another module shows a page for (an approval, a conversation). */
export interface ModuleSubject {
  type: 'approval' | 'conversation';
  id: string;
}

/** An approval, as a module sees it on the approval's page. */
export interface ModuleApproval {
  id: string;
  type: string;
  source: string;
  sourceRef: string | null;
  metadata: Record<string, unknown>;
}

export interface ModuleWeb<S, P = S> {
  /** Its manifest's id and navigation order. */
  manifest: { id: string; order: number };
  /**
   * Pages by their path below the module's: `''` its start page, `':id'` one thing by id, or a
   * fixed name (matched first).
   */
  pages: Record<string, ModulePage<S>>;
  /** Pages outside /app, by name, given only what needs no session (`P`). */
  standalone?: Record<string, ModulePage<P>>;
  /** Shown on the page of something else the user looks at, e.g. the boards linked to it. */
  subjectPanel?: (props: { subject: ModuleSubject; shell: S }) => ReactNode | Promise<ReactNode>;
  /**
   * On an approval's page, what the approval came from (e.g. the conversation an escalation
   * names), or null when it isn't this module's; `details` are the approval's own, to show
   * when the module can't find more.
   */
  approvalContext?: (props: {
    approval: ModuleApproval;
    details: ReactNode;
    shell: S;
  }) => ReactNode | Promise<ReactNode>;
}

/** What the Shell's page embedding a tool's own UI takes (its frame, or why it can't show). */
export interface EmbeddedModulePageProps {
  moduleId: string;
  /** This page's path, to come back to after signing in. */
  returnTo: string;
  title: string;
  description: string;
}

/** The Shell's part a module page uses to embed its tool's own UI (Chatwoot). */
export interface EmbedShell {
  EmbeddedModulePage: (props: EmbeddedModulePageProps) => ReactNode | Promise<ReactNode>;
}

/** The Shell's <ModuleEmbed>: a tool's page at `src`, framed, with a fallback when it can't be. */
export interface ModuleEmbedShell {
  ModuleEmbed: (props: { src: string; title: string }) => ReactNode | Promise<ReactNode>;
}

/** A module page that is its tool's own UI, embedded by the Shell. */
export function embeddedPage(page: EmbeddedModulePageProps): ModulePage<EmbedShell> {
  return {
    title: page.title,
    render: ({ shell }) => createElement(shell.EmbeddedModulePage, page),
  };
}
