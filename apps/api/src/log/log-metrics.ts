import { Counter, Gauge } from 'prom-client';
import type { Metrics } from '../metrics/metrics.js';

/** The transparency log's metrics, registered on the app's registry (one LogService per registry). */
export class LogMetrics {
  /** Leaves this process appended (not counting repeated appends of a logged envelope). */
  readonly appended: Counter;
  /**
   * Appends retried after LOG_APPEND_CONFLICT. Stays 0 while every writer takes the advisory lock;
   * anything else means a writer outside LogService touched the log.
   */
  readonly appendRetries: Counter;
  /** Checkpoints this process signed (one per integration that found waiting entries). */
  readonly checkpointsSigned: Counter;
  /** Tree size of the latest checkpoint this process signed or read at start-up. */
  readonly treeSize: Gauge;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.appended = new Counter({
      name: 'ingrain_log_leaves_appended_total',
      help: 'Attestations appended to the transparency log by this process',
      registers,
    });
    this.appendRetries = new Counter({
      name: 'ingrain_log_append_retries_total',
      help: 'Transparency log appends retried after a concurrent write (LOG_APPEND_CONFLICT)',
      registers,
    });
    this.checkpointsSigned = new Counter({
      name: 'ingrain_log_checkpoints_signed_total',
      help: 'Transparency log checkpoints signed by this process (batched: one per integration)',
      registers,
    });
    this.treeSize = new Gauge({
      name: 'ingrain_log_tree_size',
      help: 'Tree size of the latest checkpoint seen by this process',
      registers,
    });
  }
}
