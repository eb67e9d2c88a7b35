/** A stage threw this: retrying cannot help (bad params, bad data beyond the allowed share, collapse). */
export class StageFailure extends Error {
  override name = 'StageFailure';
}
