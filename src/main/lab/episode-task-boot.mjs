// Piscina's worker entry when kalshi-actor runs from its TypeScript sources (vitest, tsx): Node
// cannot import a `.ts` module by itself, so this registers tsx in the worker thread first, then
// loads the task module. Its default export is a promise of the task function; piscina awaits it.
// From the compiled tree (dist/**.js) the pool loads episode-task.js directly and this file is
// not used (src/shared/worker-spawn.ts does the same for plain worker threads).
import { register } from 'tsx/esm/api';

register();
const task = import(new URL('./episode-task.ts', import.meta.url).href).then((m) => m.default);
export default task;
