// Reading a job's stored images as the app does: only with the job's handle (its secret opens them).
import { parseJobHandle } from '../../src/jobs/job-handle.js';
import type { ImageKind, StoredImage } from '../../src/photos/photo-store.js';
import type { Services } from '../../src/services.js';

export const jobIdOf = (handle: string): string => {
  const parsed = parseJobHandle(handle);
  if (!parsed) throw new Error(`not a job handle: ${handle}`);
  return parsed.id;
};

export async function storedImage(services: Services, handle: string, kind: ImageKind): Promise<StoredImage | undefined> {
  const parsed = parseJobHandle(handle);
  if (!parsed) throw new Error(`not a job handle: ${handle}`);
  return services.photos.get(parsed.id, kind, parsed.secret);
}
