/** Test worker: the DecisionBoard's writer, as an inference worker runs it (attached from the shared handle). */
import { parentPort, workerData } from 'node:worker_threads';
import { DecisionBoard, type DecisionBoardShared } from '../../../src/shared/decision-board.js';

const board = DecisionBoard.attach(workerData as DecisionBoardShared);
for (let slot = 0; slot < board.capacity; slot++) board.record(slot, slot % 5, 1000 + slot);
parentPort!.postMessage('done');
