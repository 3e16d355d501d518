// Extra features (documents, clientSnapshots, attachDocuments), off until enabled.
import { z } from 'zod';

export const FeatureSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  /** True when enabled and supported at the vendor's end (false by default). */
  enabled: z.boolean().optional(),
});
export type Feature = z.infer<typeof FeatureSchema>;
