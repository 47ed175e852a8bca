/**
 * Text from a file or a flag, made safe to print on a terminal: every control character (C0, DEL, C1)
 * and every Unicode line or bidirectional-override character becomes a visible escape — `\x1b`,
 * `\u{2028}` — so a cell holding `ESC ] 0 ; … BEL` cannot retitle the terminal, a newline in a class
 * name cannot forge a second line, and the message stays one line. A backslash stays as it is (the
 * text is for reading, not for parsing back). Longer than `maxLength` characters, it is cut with "…".
 */
export function printable(text: string, maxLength = Infinity): string {
  const chars = [...text];
  const cut = chars.length > maxLength;
  let out = '';
  for (const char of cut ? chars.slice(0, maxLength) : chars) out += escapeChar(char);
  return cut ? `${out}…` : out;
}

function escapeChar(char: string): string {
  const code = char.codePointAt(0)!;
  const unsafe =
    code <= 0x1f || // C0 controls: ESC, BEL, newline, …
    (code >= 0x7f && code <= 0x9f) || // DEL and the C1 controls (0x9b is a one-byte CSI)
    (code >= 0x2028 && code <= 0x202e) || // line and paragraph separators, bidi embeddings and overrides
    (code >= 0x2066 && code <= 0x2069); // bidi isolates
  if (!unsafe) return char;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}
