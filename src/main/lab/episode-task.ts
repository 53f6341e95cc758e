/**
 * The piscina task module of `kalshi-actor evaluate` (episode-pool.ts): one task = one episode,
 * run in a worker thread. The spec and the result are plain data (structured clone).
 */
import { runEpisode } from './episode.js';
import type { EpisodeResult, EpisodeSpec } from './episode-types.js';

export default function episodeTask(spec: EpisodeSpec): Promise<EpisodeResult> {
  return runEpisode(spec);
}
