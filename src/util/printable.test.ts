import { describe, expect, it } from 'vitest';
import { printable } from './printable.js';

describe('printable: text from a file made safe for a terminal', () => {
  it('escapes the OSC sequence that retitles a terminal: ESC ] 0 ; … BEL → \\x1b]0;…\\x07', () => {
    expect(printable('\x1b]0;pwned\x07')).toBe('\\x1b]0;pwned\\x07');
  });

  it('escapes newlines, DEL, C1 controls and bidi overrides, and leaves other text (accents, emoji, backslash) alone', () => {
    expect(printable('a\nb\r\t\x7f\x9b')).toBe('a\\x0ab\\x0d\\x09\\x7f\\x9b');
    expect(printable('abc\u202edef\u2028')).toBe('abc\\u{202e}def\\u{2028}');
    expect(printable('café 🙂 C:\\data')).toBe('café 🙂 C:\\data');
  });

  it('cuts at maxLength characters (not UTF-16 units) with an ellipsis', () => {
    expect(printable('🙂🙂🙂', 2)).toBe('🙂🙂…');
    expect(printable('abc', 3)).toBe('abc');
  });
});
