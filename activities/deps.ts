import type * as Minio from 'minio';
import type { Settings } from '../config/settings.js';

/** What every activity may touch: the object store and the settings it was started with. */
export interface ActivityDeps {
  settings: Settings;
  s3: Minio.Client;
  bucket: string;
}
