// The API's pure domain rules (framework-free): judging station reports, idempotency, serials,
// work-order close reports, attestation input. The report and device states are libs/contracts'.
export * from './errors.js';
export * from './secret-fields.js';
export * from './result-judgement.js';
export * from './idempotency.js';
export * from './serials.js';
export * from './work-order-report.js';
export { workOrderReportSchema } from './work-order-report-schema.js';
export { signWorkOrderReport, verifyWorkOrderReportEnvelope } from './work-order-envelope.js';
export * from './attestation-input.js';
