// Request bodies as bytes. A value may hold RawJson pieces: text that JSON.stringify cannot make
// (invalid UTF-8, numbers beyond a double, `NaN`), spliced in verbatim where the piece stands.

/** Bytes written verbatim into a JSON body in place of a value. */
export class RawJson {
  constructor(readonly bytes: Buffer) {}

  static text(text: string): RawJson {
    return new RawJson(Buffer.from(text, 'utf8'));
  }

  /** A JSON string whose content is `bytes` as they are (not necessarily UTF-8). */
  static stringOfBytes(...bytes: number[]): RawJson {
    return new RawJson(Buffer.concat([Buffer.from('"'), Buffer.from(bytes), Buffer.from('"')]));
  }
}

const MARK = '\uE000';

/** The JSON bytes of `value`, with every RawJson in it written verbatim. */
export function jsonBytes(value: unknown): Buffer {
  const pieces: RawJson[] = [];
  const text = JSON.stringify(value, (_key, member: unknown) => {
    if (member instanceof RawJson) {
      pieces.push(member);
      return `${MARK}${pieces.length - 1}${MARK}`;
    }
    return member;
  });
  if (text === undefined) return Buffer.from('');
  if (pieces.length === 0) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  const placeholder = new RegExp(`"${MARK}(\\d+)${MARK}"`, 'g');
  let from = 0;
  for (const match of text.matchAll(placeholder)) {
    parts.push(Buffer.from(text.slice(from, match.index), 'utf8'));
    parts.push((pieces[Number(match[1])] as RawJson).bytes);
    from = match.index + match[0].length;
  }
  parts.push(Buffer.from(text.slice(from), 'utf8'));
  return Buffer.concat(parts);
}
