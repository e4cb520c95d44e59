// The local stack: everything the demo, the end-to-end tests and bench:e2e start on one machine —
// Redis, a SoftHSM token and its keys, the embedded database, the API and station processes,
// simulated chips — and what they do through the generated client as an admin, an MES and an auditor.
export {
  auditWorkOrder,
  exportBundles,
  listAttestations,
  runVerifier,
  stackTrust,
  type AttestationSummary,
  type VerifierVerdict,
  type WorkOrderAudit,
} from './audit.js';
export { SAMPLE_PRODUCT, seedCatalog, type Catalog, type CatalogOptions, type StackProduct } from './catalog.js';
export { freePort, pollUntil, spawnLines, type LineProcess } from './child-process.js';
export { ApiProcess, type ApiProcessOptions } from './api-process.js';
export { prepareHsm, type StackHsm } from './hsm-token.js';
export { startLocalStack, type LocalStack, type LocalStackOptions } from './local-stack.js';
export { orderDevices, sampleInputs, waitForWorkOrder, type OrderedDevices, type WorkOrderCounts } from './mes.js';
export { binPath, REPO_ROOT } from '../paths.js';
export { answersPing, startRedis, type RedisServer } from './redis.js';
export { startRedisSentinel, type RedisSentinel } from './redis-sentinel.js';
export {
  settledReleases,
  startSimProcess,
  type ReleasedChipFile,
  type SimDevice,
  type SimProcess,
  type SimProcessOptions,
} from './simulator-process.js';
export { stationKeygen, type StationKey } from './station-key.js';
export { StationProcess, type StationEvent, type StationProcessOptions } from './station-process.js';
