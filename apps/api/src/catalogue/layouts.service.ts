import { Inject, Injectable } from '@nestjs/common';
import { layoutDigest, otpSizeBytes, parseLayout, type Layout } from '#ingrain/otp';
import { bytesToHex } from '#ingrain/encoding';
import { LayoutRepository, type LayoutRecord } from '../repositories/layout-repository.js';
import { ProductRepository } from '../repositories/product-repository.js';
import { Transactions } from '../repositories/transactions.js';
import { layoutNotFound, layoutVersionConflict, productNotFound } from './catalog-errors.js';
import { loadStoredLayout, toLayoutDocument } from './layout-document.js';
import { assertLayoutSupported } from './layout-support.js';
import type {
  CreateLayoutRequest,
  LayoutInputsSchema,
  LayoutView,
  RenderedLayout,
  RenderLayoutRequest,
} from './layouts.schemas.js';
import { layoutInputsSchema } from './inputs-schema.js';
import { renderSample } from './render-sample.js';

function toView(record: LayoutRecord, layout: Layout): LayoutView {
  return {
    productId: record.productId,
    version: record.version,
    name: layout.name,
    family: layout.family,
    digest: record.digest,
    source: record.sourceText,
    definition: toLayoutDocument(layout),
    createdAt: record.createdAt.toISOString(),
  };
}

/**
 * Layouts: versioned, immutable OTP data maps of a product (`/v1/products/{id}/layouts`), and
 * their dry-run rendering.
 */
@Injectable()
export class LayoutsService {
  constructor(
    @Inject(Transactions) private readonly transactions: Transactions,
    @Inject(ProductRepository) private readonly products: ProductRepository,
    @Inject(LayoutRepository) private readonly layouts: LayoutRepository,
  ) {}

  /**
   * Validates a layout and stores it as the product's next version, with its digest. The layout's
   * own `version` must be that next version. Nothing is stored when anything fails.
   *
   * @throws AppError PRODUCT_NOT_FOUND; LayoutValidationError LAYOUT_INVALID listing every
   *   issue; AppError LAYOUT_UNSUPPORTED; AppError LAYOUT_VERSION_CONFLICT (also when
   *   another version was added concurrently).
   */
  async add(productId: string, request: CreateLayoutRequest): Promise<LayoutView> {
    const product = await this.products.get(productId);
    if (product === undefined) throw productNotFound(productId);
    const layout = parseLayout(request.source, request.format);
    assertLayoutSupported(layout);
    const expectedVersion = product.latestLayoutVersion + 1;
    if (layout.version !== expectedVersion) throw layoutVersionConflict(productId, expectedVersion);
    const record = await this.transactions.run(async ({ layouts }) => {
      const added = await layouts.add(productId, {
        sourceText: request.source,
        definition: toLayoutDocument(layout),
        digest: layoutDigest(layout),
        family: layout.family,
      });
      if (added === undefined) throw productNotFound(productId);
      // Another version was added since we read the product: roll back rather than mislabel.
      if (added.version !== layout.version) throw layoutVersionConflict(productId, added.version);
      return added;
    });
    return toView(record, layout);
  }

  /** @throws AppError LAYOUT_NOT_FOUND (also for an unknown product). */
  async get(productId: string, version: number): Promise<LayoutView> {
    const record = await this.#record(productId, version);
    return toView(record, loadStoredLayout(record));
  }

  /**
   * The layout version's inputs as JSON Schema (inputs-schema.ts).
   *
   * @throws AppError LAYOUT_NOT_FOUND.
   */
  async inputsSchema(productId: string, version: number): Promise<LayoutInputsSchema> {
    const record = await this.#record(productId, version);
    return layoutInputsSchema(
      loadStoredLayout(record),
      `/v1/products/${encodeURIComponent(productId)}/layouts/${version}/inputs-schema`,
    );
  }

  /**
   * Dry run: renders sample input values with placeholder generated values. Stores nothing and
   * makes no key; secret fields come back zeroed and redacted.
   *
   * @throws AppError LAYOUT_NOT_FOUND; ValuesValidationError VALUES_INVALID; AppError
   *   IDENTITY_INPUT_INVALID for a value given for a generated field.
   */
  async render(productId: string, version: number, request: RenderLayoutRequest): Promise<RenderedLayout> {
    const record = await this.#record(productId, version);
    const layout = loadStoredLayout(record);
    const rendered = renderSample(layout, request.values);
    return {
      productId,
      layoutVersion: version,
      layoutName: layout.name,
      family: layout.family,
      digest: record.digest,
      sizeBytes: otpSizeBytes(layout.profile),
      dataHex: bytesToHex(rendered.data),
      lockedBlocks: [...rendered.lockedBlocks],
      lockBytesHex: bytesToHex(rendered.lockBytes),
      fields: [...rendered.fields],
    };
  }

  async #record(productId: string, version: number): Promise<LayoutRecord> {
    const record = await this.layouts.get(productId, version);
    if (record === undefined) throw layoutNotFound(productId, version);
    return record;
  }
}
