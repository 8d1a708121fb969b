/** "Bao-cao-TTDN-2026-H1-du-thao.docx"; apart from the builder so naming the file does not load docx. */
export function reportFileName(periodId: string): string {
  const safe = periodId.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'ky';
  return `Bao-cao-TTDN-${safe}-du-thao.docx`;
}
