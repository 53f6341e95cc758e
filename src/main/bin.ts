/** Process entry of the `kalshi-actor` binary (bin/kalshi-actor.js loads the compiled copy). */
import { main } from './cli.js';
import { registerKeygenCommand } from '../sim/keygen-command.js';
import { registerSimCommand } from '../sim/sim-command.js';
import { registerRunCommand } from './run-command.js';
import { registerReplayCommand } from './replay/replay-command.js';
import { registerCalibrateCommand } from './calibrate-command.js';
import { registerKillCommand } from './kill-command.js';
import { registerBenchCommand } from './bench/bench-command.js';
import { registerEvaluateCommand } from './lab/evaluate-command.js';
import { registerTrainCommand } from './lab/train-command.js';

registerKeygenCommand();
registerSimCommand();
registerRunCommand();
registerReplayCommand();
registerCalibrateCommand();
registerKillCommand();
registerBenchCommand();
registerEvaluateCommand();
registerTrainCommand();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`kalshi-actor: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
