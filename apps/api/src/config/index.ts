export {
  ApiConfig,
  loadApiConfig,
  loadDatabaseConfig,
  type ApiConfigValues,
  type AuthFailureLimit,
  type DatabaseConfig,
  type HttpConfig,
} from './api-config.js';
export { ConfigError } from './config-error.js';
export { LOG_LEVELS, type LogLevel } from './env-schema.js';
