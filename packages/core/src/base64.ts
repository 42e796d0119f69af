/**
 * FHIR base64Binary, as the R4 definition's regex `(\s*([0-9a-zA-Z\+/=]){4}\s*)+` states it: groups
 * of four characters of the base64 alphabet, whitespace only between groups, at least one group.
 * Checked in one pass: the regex itself backtracks exponentially on a long value that fails at its
 * end (26 groups of "AAAA " then "!" took 25 s, each further group doubling it).
 */
export function isBase64Binary(value: string): boolean {
  // characters since the last whitespace, and whether a group was seen
  let run = 0;
  let groups = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (isBase64Character(c)) {
      run++;
      if ((run & 3) === 0) groups = true;
    } else if (isRegexWhitespace(c)) {
      if ((run & 3) !== 0) return false;
      run = 0;
    } else return false;
  }
  return groups && (run & 3) === 0;
}

/** 0-9 a-z A-Z + / = */
function isBase64Character(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 43 || c === 47 || c === 61;
}

const WHITESPACE = /\s/;
/** What `\s` matches in a JavaScript regex: ASCII whitespace, and the Unicode spaces asked of the regex itself. */
function isRegexWhitespace(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  return c > 127 && WHITESPACE.test(String.fromCharCode(c));
}
