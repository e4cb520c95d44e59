// Batches on a PostgreSQL server, over two API instances; the scenarios: batch-scenarios.ts.
import { describeBatches } from './batch-scenarios.js';

describeBatches('postgres');
