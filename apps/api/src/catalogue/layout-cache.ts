import { Inject, Injectable } from '@nestjs/common';
import type { Layout } from '#ingrain/otp';
import { AppError } from '../errors/app-error.js';
import { LayoutRepository, type LayoutRecord } from '../repositories/layout-repository.js';
import { loadStoredLayout } from './layout-document.js';

/** A stored layout with its validated Layout. */
export interface ResolvedLayout {
  readonly record: LayoutRecord;
  readonly layout: Layout;
}

/** Entries kept; a product line rarely has more than a handful of live layout versions. */
const MAX_ENTRIES = 256;

/**
 * Stored layouts, validated and checked against their digest once per process: layout rows are
 * never updated (the table refuses it), so a (product, version) never changes once read.
 */
@Injectable()
export class LayoutCache {
  readonly #entries = new Map<string, Promise<ResolvedLayout>>();

  constructor(@Inject(LayoutRepository) private readonly layouts: LayoutRepository) {}

  /**
   * The layout a device was issued under.
   *
   * @throws AppError LAYOUT_RECORD_INVALID when the layout of an existing device is missing or
   *   no longer yields its digest (a server fault: such a device must not be provisioned).
   */
  get(productId: string, version: number): Promise<ResolvedLayout> {
    return this.#remember(productId, version, () => this.#load(productId, version));
  }

  /** A record just read (e.g. a product's latest version): validated once, then cached. */
  resolve(record: LayoutRecord): Promise<ResolvedLayout> {
    return this.#remember(record.productId, record.version, () =>
      Promise.resolve().then(() => ({ record, layout: loadStoredLayout(record) })),
    );
  }

  #remember(productId: string, version: number, load: () => Promise<ResolvedLayout>): Promise<ResolvedLayout> {
    const key = `${productId}\u0000${version}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = load();
      this.#entries.set(key, entry);
      entry.catch(() => this.#entries.delete(key)); // a failure is not cached
      if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    }
    return entry;
  }

  async #load(productId: string, version: number): Promise<ResolvedLayout> {
    const record = await this.layouts.get(productId, version);
    if (record === undefined) {
      throw new AppError('LAYOUT_RECORD_INVALID', `layout ${productId} v${version} of a device is missing`);
    }
    return { record, layout: loadStoredLayout(record) };
  }
}
