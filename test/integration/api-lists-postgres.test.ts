// Lists and paging on a PostgreSQL server; the scenarios: lists-scenarios.ts.
import { describeLists } from './lists-scenarios.js';

describeLists('postgres');
