/** Raised only where the caller asked for it (`strict: true`) or misused the API. */
export class TokenfoldError extends Error {
  readonly code: 'empty' | 'binary' | 'not-text' | 'too-large' | 'invalid-option';

  constructor(code: TokenfoldError['code'], message: string) {
    super(message);
    this.name = 'TokenfoldError';
    this.code = code;
  }
}
