/**
 * A start-up failure the user can fix without reading code: its message is the whole report (one
 * line per problem), printed without a stack trace, and the process exits non-zero.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
