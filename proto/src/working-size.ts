/**
 * Long side, in pixels, of a shopper's photo on its way to the inference server. The widget downscales to it
 * before upload and the storefront re-encodes to it: larger photos cost upload time and memory and add nothing,
 * because try-on diffuses at 512 px and only crops of the person are used.
 */
export const PHOTO_WORKING_SIZE = 768;
