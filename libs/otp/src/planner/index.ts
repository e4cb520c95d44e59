export { DEFAULT_MERGE_GAP_BYTES, planProvisioning, type PlanOptions } from './plan-provisioning.js';
export { MAX_WRITE_BYTES } from './chunks.js';
export { PlanInputError } from './errors.js';
