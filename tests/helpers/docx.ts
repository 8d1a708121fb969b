import JSZip from 'jszip';

/** Reads a .docx back: its main XML and the text of each paragraph, entities decoded. */
export interface DocxText {
  zip: JSZip;
  xml: string;
  paragraphs: string[];
}

const decode = (s: string): string =>
  s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&');

export function paragraphTexts(xml: string): string[] {
  return xml
    .split('</w:p>')
    .map((chunk) => [...chunk.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => decode(m[1] ?? '')).join(''))
    .filter((t) => t !== '');
}

export async function readDocx(buf: Buffer | Uint8Array): Promise<DocxText> {
  const zip = await JSZip.loadAsync(buf);
  const xml = (await zip.file('word/document.xml')?.async('string')) ?? '';
  return { zip, xml, paragraphs: paragraphTexts(xml) };
}
