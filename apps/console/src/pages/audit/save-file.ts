// Saves bytes or JSON as a file the browser downloads (bundles, close reports): a Blob URL on a
// temporary link, revoked afterwards. No server round trip: the page already holds the bytes.

export function saveFile(name: string, content: Uint8Array | string, type = 'application/json'): void {
  const part: BlobPart = typeof content === 'string' ? content : new Uint8Array(content);
  const url = URL.createObjectURL(new Blob([part], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** JSON text as written to a file: two-space indent and a final newline. */
export const jsonFile = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
