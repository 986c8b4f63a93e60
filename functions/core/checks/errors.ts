/** Errors of the update-check rules. */

/** An image's base-image annotation or label is present but unusable (names the image and the key). */
export class BaseReferenceError extends Error {
  constructor(image: string, key: string, why: string) {
    super(`${image}: ${key}: ${why}`);
    this.name = 'BaseReferenceError';
  }
}
