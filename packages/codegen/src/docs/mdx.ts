/** Text helpers for MDX: anything from a definition is escaped before it reaches a page. */

/** Escapes text for an MDX paragraph or table cell (JSX braces, angle brackets, table pipes). */
export function text(value: unknown): string {
  return String(value ?? '')
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\{/g, '&#123;')
    .replace(/\}/g, '&#125;')
    .replace(/\|/g, '\\|')
    .replace(/\*/g, '\\*')
    .replace(/_/g, '\\_')
    .trim();
}

/** Inline code in a table cell: backticks cannot hold a pipe, so pipes are escaped. */
export function code(value: unknown): string {
  const s = String(value ?? '')
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/`/g, "'");
  return s ? `\`${s.replace(/\|/g, '\\|')}\`` : '';
}

/** A fenced code block (its content needs no escaping in MDX). */
export function fence(language: string, body: string, title?: string): string {
  const ticks = body.includes('```') ? '````' : '```';
  return `${ticks}${language}${title ? ` title=${JSON.stringify(title)}` : ''}\n${body.replace(/\n$/, '')}\n${ticks}`;
}

export function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '_Aucun._';
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function frontMatter(fields: Record<string, string | number>): string {
  return `---\n${Object.entries(fields)
    .map(([k, v]) => `${k}: ${typeof v === 'number' ? v : JSON.stringify(v)}`)
    .join('\n')}\n---\n`;
}

/** A page name safe for a URL and a file system. */
export function slug(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
}
