// The console's pages, in menu order: the shell shows each signed-in role the pages whose `roles`
// include it. A new page is one import and one entry here.
import type { ConsolePage } from '../shell/page.js';
import { auditPage } from './audit/index.js';
import { devicesPage } from './devices/index.js';
import { linePage } from './line/line-page.js';
import { queuePage } from './queue/queue-page.js';
import { workOrdersPage } from './work-orders/index.js';

export const PAGES: readonly ConsolePage[] = [linePage, workOrdersPage, devicesPage, auditPage, queuePage];
