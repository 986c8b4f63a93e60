/** A definition or option given to the embedded runtime is unusable; nothing was started for it. */
export class RuntimeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeConfigError';
  }
}
