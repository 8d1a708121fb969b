import { strToU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { zipFiles } from '../templates/report/zip';

describe('zipFiles (the .docx package)', () => {
  it('is read back by another ZIP reader, every part intact and in order', () => {
    const big = strToU8('<w:p><w:r><w:t>Đơn vị số 1 &amp; 2</w:t></w:r></w:p>'.repeat(50_000));
    const parts: Array<[string, Uint8Array]> = [
      ['[Content_Types].xml', strToU8('<?xml version="1.0"?><Types/>')],
      ['word/document.xml', big],
      ['word/empty.xml', new Uint8Array(0)],
      ['word/chunked.xml', big.subarray(0, 100_000)],
    ];
    // Two given as chunks, as packRawBlocks gives document.xml (one over the 256 KB compressed at a time).
    const chunked = [big.subarray(0, 30_000), new Uint8Array(0), big.subarray(30_000, 100_000)];
    const bigChunked = [big.subarray(0, 300_000), big.subarray(300_000)];
    const zipped = zipFiles(
      parts.map(([name, data]) => [name, name === 'word/chunked.xml' ? chunked : name === 'word/document.xml' ? bigChunked : data] as const),
      new Date(2026, 4, 8, 9, 30, 12),
    );
    expect(zipped.length).toBeLessThan(big.length / 20);
    const back = unzipSync(zipped);
    expect(Object.keys(back)).toEqual(parts.map(([name]) => name));
    for (const [name, data] of parts) expect(Buffer.from(back[name]!).equals(Buffer.from(data))).toBe(true);
  });
});
