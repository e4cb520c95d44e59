/**
 * Many strings packed as UTF-8 into one transferable buffer, for handing a batch of bundle texts
 * to a worker thread. A structured clone of a string array holds the serialized copy and the
 * worker's strings at once (twice the batch) and is rebuilt string by string before the worker can
 * start; a transferred buffer moves without a copy and the worker decodes one text at a time.
 * Lossless: a string that is not well-formed UTF-16 (a lone surrogate, which UTF-8 cannot carry)
 * travels as itself in `irregular` instead.
 */
export interface PackedTexts {
  readonly count: number;
  /** UTF-8 of every well-formed text, back to back (transfer it: it is not shared). */
  readonly bytes: ArrayBuffer;
  /** Text i is bytes[ends[i - 1] ?? 0, ends[i]) (Float64Array: a batch may exceed 4 GiB). */
  readonly ends: Float64Array;
  /** Texts that could not be UTF-8 encoded losslessly, by position. */
  readonly irregular: ReadonlyMap<number, string>;
}

const encoder = new TextEncoder();
// ES2024 String.prototype.isWellFormed (V8 11.1+, so Node 20); the project's TypeScript lib is ES2023.
const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Packs `texts` (encodes each once; the buffer is sized exactly). */
export function packTexts(texts: readonly string[]): PackedTexts {
  const ends = new Float64Array(texts.length);
  const irregular = new Map<number, string>();
  let total = 0;
  texts.forEach((text, i) => {
    if (isWellFormed(text)) total += Buffer.byteLength(text, 'utf8');
    else irregular.set(i, text);
    ends[i] = total;
  });
  const bytes = new ArrayBuffer(total);
  let start = 0;
  texts.forEach((text, i) => {
    const end = ends[i]!;
    if (end > start) encoder.encodeInto(text, new Uint8Array(bytes, start, end - start));
    start = end;
  });
  return { count: texts.length, bytes, ends, irregular };
}

/** Text `index` of a packed batch, exactly as it was packed. */
export function unpackText(packed: PackedTexts, index: number): string {
  const irregular = packed.irregular.get(index);
  if (irregular !== undefined) return irregular;
  const start = index === 0 ? 0 : packed.ends[index - 1]!;
  return Buffer.from(packed.bytes, start, packed.ends[index]! - start).toString('utf8');
}

/** Every text of a packed batch, in order, decoded as it is reached. */
export function* unpackedTexts(packed: PackedTexts): Generator<string> {
  for (let i = 0; i < packed.count; i++) yield unpackText(packed, i);
}
