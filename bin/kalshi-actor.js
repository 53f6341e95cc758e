#!/usr/bin/env node
// The compiled CLI lives in dist/ (`npm run build`; `npm start` builds first).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/main/bin.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('kalshi-actor: not built yet — run `npm run build` (or `npm start`, which builds first)');
  process.exit(2);
}
await import(entry.href);
