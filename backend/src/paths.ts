import { resolve } from 'node:path';

/** The repository root: `backend/src` and `dist/backend` both sit two levels below it. */
export const projectRoot = resolve(__dirname, '..', '..');
export const widgetDist = resolve(projectRoot, 'widget-element', 'dist');
export const widgetDemoPage = resolve(projectRoot, 'widget-element', 'demo', 'index.html');
export const consoleDist = resolve(projectRoot, 'admin-ui', 'dist', 'admin-ui', 'browser');
