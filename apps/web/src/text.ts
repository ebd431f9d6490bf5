/**
 * The API's text rules (apps/api/innovate_api/text.py), checked before sending so the form can
 * explain them: names are NFC-normalised and trimmed, at most 100 characters (counted as the API
 * counts them, in code points), and hold no line breaks, control characters or invisible format
 * characters (zero-width, bidirectional controls). Descriptions may hold line breaks and tabs.
 */
const LINE_BREAK = /[\n\r\u000b\u000c\u0085\u2028\u2029]/u;
const CONTROL = /\p{Cc}/u;
const FORMAT = /\p{Cf}/u;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const MULTILINE_OK = /[\n\r\t]/u;
const UNASSIGNED = /[\p{Cn}\p{Co}\p{Cs}]/u;
// Visible: a letter, digit, punctuation mark or symbol that is not a blank filler (as the API).
const VISIBLE = /(?![\u115f\u1160\u3164\uffa0\u2800])[\p{L}\p{N}\p{P}\p{S}]/u;

export const NAME_RULES = "Up to 100 characters, on one line, without control or invisible formatting characters.";

export function normalise(value: string): string {
  return value.normalize("NFC").trim();
}

export const length = (value: string) => [...value].length;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/** Why ``value`` breaks the rules (a sentence naming the rule and the character), or null. */
export function textProblem(label: string, value: string, max: number, multiline = false): string | null {
  const clean = normalise(value);
  for (const char of clean) {
    if (multiline && MULTILINE_OK.test(char)) continue;
    if (LINE_BREAK.test(char)) return `${label} must be a single line (it contains a line break).`;
    if (CONTROL.test(char)) return `${label} must not contain control characters (${codePoint(char)}).`;
    if (FORMAT.test(char) && (!multiline || BIDI.test(char)))
      return `${label} must not contain invisible formatting characters such as zero-width spaces or direction overrides (${codePoint(char)}).`;
    if (UNASSIGNED.test(char))
      return `${label} must not contain unassigned or private-use characters (${codePoint(char)}).`;
  }
  if (!multiline && clean.length > 0 && !VISIBLE.test(clean))
    return `${label} must contain at least one visible letter, digit or symbol.`;
  if (!multiline && clean.length === 0) return `${label} must not be empty (spaces alone do not count).`;
  if (length(clean) > max) return `${label} is ${length(clean)} characters; the limit is ${max}.`;
  return null;
}
