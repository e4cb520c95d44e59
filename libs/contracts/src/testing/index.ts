// Test support of libs/contracts ('#ingrain/contracts/testing'): never imported by production code.
export * from './station-reports.js';
