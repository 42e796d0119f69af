/** A codegen step failed; `step` names it for the progress output. */
export class CodegenError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
    this.name = 'CodegenError';
  }
}

/** One message SUSHI printed, with its FSH location when it gave one. */
export interface SushiDiagnostic {
  level: 'error' | 'warn';
  message: string;
  file?: string;
  line?: number;
}

/** SUSHI reported errors (or crashed); carries its diagnostics as `file:line: message`. */
export class SushiError extends CodegenError {
  constructor(
    readonly diagnostics: SushiDiagnostic[],
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    const errors = diagnostics.filter((d) => d.level === 'error');
    const lines = errors.length
      ? errors.map(formatDiagnostic)
      : [`SUSHI exited with code ${exitCode}; its output ends with:`, ...output.trim().split('\n').slice(-15)];
    super('sushi', `SUSHI failed with ${errors.length} error(s):\n${lines.map((l) => `  ${l}`).join('\n')}`);
    this.name = 'SushiError';
  }
}

export function formatDiagnostic(d: SushiDiagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}` : ''}: ` : '';
  return `${where}${d.level}: ${d.message}`;
}
