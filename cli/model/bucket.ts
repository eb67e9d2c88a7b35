import type { Settings } from '../../config/settings.js';
import type { Bucket } from '../../store/artefacts.js';
import { createS3Client } from '../../store/s3.js';

/** The artefact bucket of the configured object store. */
export function settingsBucket(settings: Settings): Bucket {
  return { s3: createS3Client(settings.s3), bucket: settings.s3.bucket };
}
