/** What an inference stage reports once a second: its counters and its latency histogram. */
import type { LatencySnapshot } from '../../shared/latency-histogram.js';
import type { InferenceCounters, InferenceStage } from './inference-stage.js';

export interface InferenceStats {
  counters: InferenceCounters;
  /** Book receipt → decision, ns, since the start. */
  latency: LatencySnapshot;
  /** The stage's hops, ns, since the start (InferenceStage.stages). */
  stages: { appliedToObserved: LatencySnapshot; observedToDecided: LatencySnapshot; decidedToEnqueued: LatencySnapshot };
}

export function inferenceStats(stage: InferenceStage): InferenceStats {
  return { counters: { ...stage.counters, byAction: [...stage.counters.byAction] }, latency: stage.latency.snapshot(),
    stages: {
      appliedToObserved: stage.stages.appliedToObserved.snapshot(),
      observedToDecided: stage.stages.observedToDecided.snapshot(),
      decidedToEnqueued: stage.stages.decidedToEnqueued.snapshot(),
    },
  };
}
