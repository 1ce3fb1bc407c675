/**
 * The tools this orchestrator runs, one line each: a module's folder (modules/<id>/) holds
 * everything of its tool. Removing a tool is removing its folder and its line here.
 */
import chat from '@afenda/module-chat/server';
import inbox from '@afenda/module-inbox/server';
import video from '@afenda/module-video/server';
import whiteboard from '@afenda/module-whiteboard/server';
import type { ServerModule } from '@afenda/platform/module';

export const MODULES: ServerModule[] = [chat, inbox, video, whiteboard];
