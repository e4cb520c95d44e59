// Public API of libs/contracts: the shapes the API and the station share (the provisioning job,
// the station report, the station heartbeat, the device state machine) and the error they throw when a value breaks one.
// Framework-free; import it as '#ingrain/contracts'. Test fixtures: '#ingrain/contracts/testing'.
export * from './errors.js';
export * from './provision-job.js';
export * from './station-report.js';
export * from './device-state.js';
export * from './claim-secrets.js';
export * from './station-heartbeat.js';
export * from './redis-sentinel.js';
