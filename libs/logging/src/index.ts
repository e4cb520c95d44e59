// Public API of libs/logging: the one log format of the API and the stations (pino: JSON lines to
// files, readable lines on a terminal, every secret path redacted). Framework-free; import it as
// '#ingrain/logging'.
export * from './log-options.js';
