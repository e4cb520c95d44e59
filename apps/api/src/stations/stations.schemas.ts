import { z } from 'zod';
import { LineName, slug } from '../catalogue/products.schemas.js';
import { requestModel, responseModel } from '../http/api-models.js';
import { CreatedToken } from '../tokens/tokens.schemas.js';

export const StationId = slug('Station id (a slug, e.g. "line1-st3")');

export const CreateStationRequest = requestModel(
  'CreateStationRequest',
  z.strictObject({
    id: StationId,
    name: z.string().trim().min(1).max(100).describe('Human-readable station name'),
    line: LineName,
  }),
);
export type CreateStationRequest = z.output<typeof CreateStationRequest>;

export const StationView = responseModel(
  'Station',
  z
    .object({ id: z.string(), name: z.string(), line: z.string(), createdAt: z.iso.datetime() })
    .describe('A registered programming station'),
);
export type StationView = z.output<typeof StationView>;

export const CreatedStation = responseModel(
  'CreatedStation',
  z
    .object({ station: StationView, token: CreatedToken })
    .describe('A new station and its station token (the secret is in this response only)'),
);
export type CreatedStation = z.output<typeof CreatedStation>;

export const StationList = responseModel('StationList', z.object({ stations: z.array(StationView) }));
export type StationList = z.output<typeof StationList>;
