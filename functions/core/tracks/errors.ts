/** A track definition is invalid: names the file, the track and the field, and says why. */
export class TrackDefinitionError extends Error {
  readonly file: string;
  readonly field: string;
  constructor(file: string, where: string, field: string, why: string) {
    super(`${file}: ${where}: ${field ? `${field}: ` : ''}${why}`);
    this.name = 'TrackDefinitionError';
    this.file = file;
    this.field = field;
  }
}
