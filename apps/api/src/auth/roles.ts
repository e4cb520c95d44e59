import { z } from 'zod';
import { sharedModel } from '../http/api-models.js';

/** The four roles of docs/api.md; every token has exactly one. */
export const ROLES = ['admin', 'mes', 'station', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const RoleSchema = sharedModel('Role', z.enum(ROLES).describe('The role of an API token (docs/api.md)'));
