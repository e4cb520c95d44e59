import { z } from 'zod';
import { RoleSchema } from '../auth/roles.js';
import { requestModel, responseModel } from '../http/api-models.js';

export const SignInRequest = requestModel(
  'ConsoleSignInRequest',
  z.strictObject({
    token: z.string().min(1).max(200).describe('An API token (ingr_…), pasted once; only a session cookie is kept'),
  }),
);
export type SignInRequest = z.output<typeof SignInRequest>;

export const ConsoleSession = responseModel(
  'ConsoleSession',
  z
    .object({
      role: RoleSchema,
      subject: z.string().describe("The token's name (never the token)"),
      csrfToken: z.string().describe('Echo it in X-CSRF-Token on every state-changing request'),
      expiresAt: z.iso.datetime().describe('When the session ends at the latest (it also ends when idle)'),
    })
    .describe('The signed-in console session'),
);
export type ConsoleSession = z.output<typeof ConsoleSession>;
