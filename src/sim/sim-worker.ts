/**
 * Worker-thread entry of the embedded simulator (`npm start` trades it): runs `startSimulator`
 * with the options in `workerData`, posts `{ready, restUrl, wsUrl, port}` once listening, and
 * closes on a `close` message. Its own thread, so the synthetic liquidity and the servers never
 * take time from the host's threads' event loops.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startSimulator, type StartSimulatorOptions } from './simulator.js';

const port = parentPort;
if (port === null) throw new Error('sim-worker must run in a worker thread');

startSimulator(workerData as StartSimulatorOptions).then(
  (sim) => {
    port.postMessage({ type: 'ready', restUrl: sim.restUrl, wsUrl: sim.wsUrl, port: sim.port });
    port.on('message', (m: { type?: string }) => {
      if (m?.type !== 'close') return;
      void sim.close().then(() => {
        port.postMessage({ type: 'closed' });
        port.close();
      });
    });
  },
  (err: unknown) => {
    port.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    port.close();
  },
);
