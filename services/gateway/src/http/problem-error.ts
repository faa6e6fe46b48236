/**
 * An error the gateway answers with as RFC 9457 problem details. `code` is the stable,
 * documented part; `detail` is for humans and may change.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly errors?: readonly FieldError[],
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}

export interface FieldError {
  readonly field: string;
  readonly messages: readonly string[];
}
