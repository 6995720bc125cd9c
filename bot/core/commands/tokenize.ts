// Splits chat text into words. Quotes group words ("year-end freeze"); chat clients often turn
// straight quotes into typographic ones, so those count too. A single quote opens a quote only
// at the start of a word, so apostrophes ("New Year's Eve") stay part of the word.

const OPENING_TO_CLOSING: Readonly<Record<string, string>> = { '"': '"', "'": "'", '“': '”', '‘': '’', '„': '“' };

export type TokenizeResult = { readonly ok: true; readonly words: string[] } | { readonly ok: false; readonly message: string };

export function tokenize(text: string): TokenizeResult {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let closing: string | undefined;
  for (const character of text) {
    if (closing !== undefined) {
      if (character === closing) closing = undefined;
      else current += character;
      continue;
    }
    const close = OPENING_TO_CLOSING[character];
    const apostrophe = (character === "'" || character === '‘') && inWord;
    if (close !== undefined && !apostrophe) {
      closing = close;
      inWord = true;
    } else if (/\s/.test(character)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += character;
      inWord = true;
    }
  }
  if (closing !== undefined) return { ok: false, message: `a quote is not closed (expected ${closing})` };
  if (inWord) words.push(current);
  return { ok: true, words };
}
