// Public API of libs/otp. Apps and tests import from '#ingrain/otp' only.
export * from './errors.js';
export * from './profiles/index.js';
export * from './image/index.js';
export * from './board-files/index.js';
export * from './planner/plan.js';
export * from './planner/index.js';
export * from './layout/index.js';
export * from './bootloader/index.js';
export * from './transport/index.js';
export * from './cycle/index.js';
export * from './lines/index.js';
