import { describe, expect, it } from 'vitest';
import { code, text } from './mdx.js';

describe('MDX text of a definition', () => {
  it('keeps a table cell on one line whatever the line break (\\n, \\r\\n, a lone \\r, U+2028)', () => {
    // R4's Appointment.priority comment separates its sentences with "\r\r"
    for (const br of ['\n', '\r\n', '\r\r', '\u2028', '\u2029']) {
      expect(text(`it is.${br}Using`)).toBe('it is. Using');
      expect(code(`a${br}b`)).toBe('`a b`');
    }
  });

  it('escapes what MDX or a table would read as syntax', () => {
    expect(text('<p>{x}</p> a|b *c* _d_ &')).toBe('&lt;p&gt;&#123;x&#125;&lt;/p&gt; a\\|b \\*c\\* \\_d\\_ &amp;');
    expect(code('a|b`c')).toBe("`a\\|b'c`");
  });
});
