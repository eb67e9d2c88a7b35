import { z } from 'zod';
import { ArtefactRefSchema } from '../../store/artefact-schema.js';

/**
 * images.json of crop, crop-part and features-part artefacts: per photo (in pool order), the per-photo
 * artefact holding its crops or features (`crop-image` / `feature-image`, content-addressed), how many rows
 * it has. Whether a node computed a photo or found it made goes to the manifest's metrics only: in the
 * content it would change the digest (and everything downstream) with the cache's history.
 */
export const PhotoPartitionsFileSchema = z.object({
  photos: z.array(
    z.object({
      image: z.string(),
      rows: z.number().int().min(0),
      ref: ArtefactRefSchema,
    }),
  ),
});
export type PhotoPartitionsFile = z.infer<typeof PhotoPartitionsFileSchema>;
