// Lists and paging on the embedded database (PGlite); the scenarios: lists-scenarios.ts.
import { describeLists } from './lists-scenarios.js';

describeLists('pglite');
