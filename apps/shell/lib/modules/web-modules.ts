/**
 * The integrated tools' Shell UIs (modules/<id>/web), one line each: the only place the Shell
 * names a tool's UI. Removing a tool from the Shell is removing its folder and its line here;
 * app/app/_shell/module-pages.tsx serves their pages under /app/<id>.
 */
export { web as chat } from '@afenda/module-chat/web';
export { web as inbox } from '@afenda/module-inbox/web';
export { web as video } from '@afenda/module-video/web';
export { web as whiteboard } from '@afenda/module-whiteboard/web';
