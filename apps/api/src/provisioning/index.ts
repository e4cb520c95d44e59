// Device provisioning: MES requests, station claims and results, admin actions, job reconciliation.
export { ProvisioningModule } from './provisioning.module.js';
export { DeviceRequestsService, CREATE_DEVICE_OPERATION } from './device-requests.service.js';
export { ClaimsService } from './claims.service.js';
export { ResultsService } from './results.service.js';
export { OperatorActionsService } from './operator-actions.service.js';
export { JobReconciler, RECONCILE_INTERVAL_MS, type ReconcileSummary } from './job-reconciler.js';
