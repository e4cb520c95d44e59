// Batches on the embedded database (PGlite); the scenarios: batch-scenarios.ts.
import { describeBatches } from './batch-scenarios.js';

describeBatches('pglite');
