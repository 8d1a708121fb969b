import { parseFootnotePlace, type Footnote } from '../../domain/report-particulars';
import type { Block, Run } from './sections';

/**
 * Places the office's footnotes in the body: at the end of the paragraph of the section named (before its
 * closing punctuation, as the seed's "…truyền thông¹."), or right after the first occurrence of a phrase.
 * A footnote whose place is not found goes to the end of the opening paragraph and is reported back.
 */

export interface PlacedFootnotes {
  blocks: Block[];
  /** Word footnote ids (1, 2, …) in the order given, with their texts. */
  notes: Array<{ id: number; text: string }>;
  /** 1-based numbers of footnotes whose place was not found. */
  unplaced: number[];
}

const ROMAN_H1 = /^(I|II|III|IV|V)\.\s/;
const NUMBERED_H2 = /^(\d)\.\s/;

/** "mở đầu", "I", "II.2" … for each block (headings included). */
function sectionCodes(blocks: readonly Block[]): string[] {
  let h1 = 'mở đầu';
  let code = h1;
  return blocks.map((b) => {
    if (b.kind === 'h1') {
      h1 = ROMAN_H1.exec(b.text)?.[1] ?? h1;
      code = h1;
    } else if (b.kind === 'h2') {
      const n = NUMBERED_H2.exec(b.text)?.[1];
      code = n ? `${h1}.${n}` : h1;
    }
    return code;
  });
}

/** Inserts a reference after character `at` of the paragraph's text (run boundaries kept). */
function insertAt(runs: readonly Run[], at: number, id: number): Run[] {
  const out: Run[] = [];
  let pos = 0;
  let done = false;
  runs.forEach((r, i) => {
    const len = r.footnote !== undefined ? 0 : r.text.length;
    // A mark already at this place stays first: the next one goes after it.
    const beforeMark = at === pos + len && runs[i + 1]?.footnote !== undefined;
    if (!done && r.footnote === undefined && at >= pos && at <= pos + len && !beforeMark) {
      const cut = at - pos;
      if (cut > 0) out.push({ ...r, text: r.text.slice(0, cut) });
      out.push({ text: '', footnote: id });
      if (cut < len) out.push({ ...r, text: r.text.slice(cut) });
      done = true;
    } else {
      out.push(r);
    }
    pos += len;
  });
  if (!done) out.push({ text: '', footnote: id });
  return out;
}

const textOf = (runs: readonly Run[]): string => runs.map((r) => (r.footnote !== undefined ? '' : r.text)).join('');

/** Before the paragraph's closing punctuation ("…truyền thông¹."). */
function endPosition(text: string): number {
  return text.replace(/(?:\.\/\.|[\s.;:,])+$/u, '').length;
}

export function placeFootnotes(blocks: readonly Block[], footnotes: readonly Footnote[]): PlacedFootnotes {
  const out = blocks.slice();
  const codes = sectionCodes(out);
  const notes: PlacedFootnotes['notes'] = [];
  const unplaced: number[] = [];
  footnotes.forEach((f, i) => {
    const id = i + 1;
    notes.push({ id, text: f.text });
    const place = parseFootnotePlace(f.at);
    let index = -1;
    let at = -1;
    if (place?.kind === 'section') {
      const paragraphs = out.map((b, j) => ({ b, j })).filter(({ b, j }) => b.kind === 'p' && codes[j] === place.section);
      const target = paragraphs[place.paragraph - 1];
      if (target && target.b.kind === 'p') {
        index = target.j;
        at = endPosition(textOf(target.b.runs));
      }
    } else if (place?.kind === 'phrase') {
      const needle = place.phrase.normalize('NFC').toLocaleLowerCase('vi');
      for (let j = 0; j < out.length && index < 0; j++) {
        const b = out[j]!;
        if (b.kind !== 'p' && b.kind !== 'item') continue;
        const found = textOf(b.runs).normalize('NFC').toLocaleLowerCase('vi').indexOf(needle);
        if (found >= 0) {
          index = j;
          at = found + needle.length;
        }
      }
    }
    if (index < 0) {
      unplaced.push(id);
      index = out.findIndex((b) => b.kind === 'p');
      const first = out[index];
      if (!first || first.kind !== 'p') return;
      at = endPosition(textOf(first.runs));
    }
    const b = out[index]!;
    if (b.kind === 'p' || b.kind === 'item') out[index] = { ...b, runs: insertAt(b.runs, at, id) };
  });
  return { blocks: out, notes, unplaced };
}
