import { z } from 'zod';
import { RoleSchema } from '../auth/roles.js';
import { nextCursorField } from '../http/cursor.js';
import { requestModel, responseModel } from '../http/api-models.js';

export const TokenId = z.uuid().describe('Token id');

export const CreateTokenRequest = requestModel(
  'CreateTokenRequest',
  z
    .strictObject({
      name: z.string().trim().min(1).max(100).describe('What the token is for, e.g. "mes-line-1"'),
      role: RoleSchema,
      stationId: z
        .string()
        .min(1)
        .max(64)
        .optional()
        .describe('The station a station token is bound to (station tokens only)'),
    })
    .superRefine((value, context) => {
      if ((value.role === 'station') !== (value.stationId !== undefined)) {
        context.addIssue({
          code: 'custom',
          path: ['stationId'],
          message:
            value.role === 'station' ? 'a station token needs a stationId' : 'only station tokens have a stationId',
        });
      }
    }),
);
export type CreateTokenRequest = z.output<typeof CreateTokenRequest>;

const tokenFields = {
  id: TokenId,
  name: z.string(),
  role: RoleSchema,
  stationId: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable().describe('Recorded at most once a minute'),
  revokedAt: z.iso.datetime().nullable(),
};

export const ApiTokenView = responseModel(
  'ApiToken',
  z.object(tokenFields).describe('An API token, without its secret'),
);
export type ApiTokenView = z.output<typeof ApiTokenView>;

export const CreatedToken = responseModel(
  'CreatedApiToken',
  z
    .object({
      ...tokenFields,
      token: z.string().describe('The secret (ingr_…): shown once, only its SHA-256 is stored'),
    })
    .describe('A new API token with its secret'),
);
export type CreatedToken = z.output<typeof CreatedToken>;

export const TokenList = responseModel(
  'ApiTokenList',
  z.object({ tokens: z.array(ApiTokenView), nextCursor: nextCursorField }),
);
export type TokenList = z.output<typeof TokenList>;
