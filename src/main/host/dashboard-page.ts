/**
 * The dashboard page's files (web/: index.html, dashboard.js, dashboard.css), served as they are
 * — no build step. Found by walking up from this module to the package root (the same from
 * src/ under tsx and vitest and from dist/src/ once built), read once at start.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ControlRoute } from '../control-server.js';

/** The page itself is guarded like every read; its script and style sheet hold nothing of the host's and are public. */
const FILES: ReadonlyArray<{ path: string; file: string; type: string; public: boolean }> = [
  { path: '/', file: 'index.html', type: 'text/html; charset=utf-8', public: false },
  { path: '/dashboard.js', file: 'dashboard.js', type: 'text/javascript; charset=utf-8', public: true },
  { path: '/dashboard.css', file: 'dashboard.css', type: 'text/css; charset=utf-8', public: true },
];

/** The package's web/ directory, or undefined when it is not there. */
export function webDir(from = fileURLToPath(import.meta.url)): string | undefined {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'web', 'index.html'))) return join(dir, 'web');
    if (dirname(dir) === dir) return undefined;
  }
}

/** GET routes for the page's files; throws when web/ is missing (the caller logs it and serves the rest). */
export function dashboardRoutes(dir = webDir()): ControlRoute[] {
  if (dir === undefined) throw new Error('the dashboard page (web/index.html) is not in this installation');
  return FILES.map(({ path, file, type, public: open }) => {
    const text = readFileSync(join(dir, file), 'utf8');
    return { method: 'GET' as const, path, public: open, handle: () => ({ status: 200, text, contentType: type }) };
  });
}
