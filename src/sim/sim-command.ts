/**
 * `kalshi-actor sim …`: run the local Kalshi exchange until SIGINT/SIGTERM. Prints the REST and
 * WebSocket URLs, then a line containing `ready` once it listens (scripts wait for that line).
 */
import { COMMANDS, type Command } from '../main/cli.js';
import { parseSimArgs, SIM_USAGE } from './options.js';
import { startSimulator } from './simulator.js';

export function simCommand(out: (line: string) => void = (line) => console.log(line)): Command {
  return {
    summary: 'run the local Kalshi exchange simulator (REST + WebSocket, synthetic liquidity, faults)',
    usage: SIM_USAGE,
    async run(argv) {
      const options = parseSimArgs(argv);
      const sim = await startSimulator(options);
      out(`REST      ${sim.restUrl}`);
      out(`WebSocket ${sim.wsUrl}`);
      out(`ready: ${options.markets} markets, ${options.rate} book messages/s, seed ${options.seed}, port ${sim.port}`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sim.close();
      out('simulator stopped');
      return 0;
    },
  };
}

/** Add `sim` to `COMMANDS` (idempotent). */
export function registerSimCommand(): void {
  if (COMMANDS.sim === undefined) COMMANDS.sim = simCommand();
}
