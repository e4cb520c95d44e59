import { loadDatabaseConfig } from '../../config/api-config.js';
import { Database } from '../../database/database.js';
import { DatabaseError } from '../../database/errors.js';
import { DataDirInUseError } from '../../database/pglite/data-dir-lock.js';
import { TokenRepository } from '../../repositories/token-repository.js';
import { TokensService } from '../../tokens/tokens.service.js';
import { AdminError } from '../errors.js';

/**
 * Opens the API's database from the same variables as the API (DATABASE_URL, or INGRAIN_DATA_DIR
 * for embedded PGlite), runs `work` with the token service, always closes. PGlite allows one
 * process per data directory: while the API has it open, this refuses (nothing is written).
 *
 * @throws AdminError ADMIN_DATABASE_IN_USE naming the directory and the holder's pid; the
 *   database's and the token service's errors as they are.
 */
export async function withTokens<T>(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  work: (tokens: TokensService) => Promise<T>,
): Promise<T> {
  const database = await openDatabase(env, cwd);
  try {
    return await work(new TokensService(new TokenRepository(database.kysely)));
  } finally {
    await database.close();
  }
}

async function openDatabase(env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<Database> {
  try {
    return await Database.open(loadDatabaseConfig(env, cwd));
  } catch (error) {
    if (error instanceof DatabaseError && error.cause instanceof DataDirInUseError) {
      throw new AdminError(
        'ADMIN_DATABASE_IN_USE',
        `${error.cause.message}.\nStop the API first, or do this through the API (POST /v1/tokens, GET /v1/tokens, ` +
          'DELETE /v1/tokens/{id} with an admin token)',
        { cause: error },
      );
    }
    throw error;
  }
}
