import { loadDatabaseConfig } from '../../config/api-config.js';
import { Database } from '../../database/database.js';
import { TokenRepository } from '../../repositories/token-repository.js';
import { TokensService } from '../../tokens/tokens.service.js';

/**
 * Opens the API's database from the same variables as the API (DATABASE_URL, or INGRAIN_DATA_DIR
 * for embedded PGlite — stop the API first then: PGlite allows one process per data directory),
 * runs `work` with the token service, always closes.
 */
export async function withTokens<T>(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  work: (tokens: TokensService) => Promise<T>,
): Promise<T> {
  const database = await Database.open(loadDatabaseConfig(env, cwd));
  try {
    return await work(new TokensService(new TokenRepository(database.kysely)));
  } finally {
    await database.close();
  }
}
