// A training dataset: image files with one caption each, whatever layout they came from.
export interface TrainingExample {
  /** Absolute path of the image file. */
  readonly image: string;
  readonly caption: string;
}

export type DatasetFormat = 'captions-file' | 'paired-folder' | 'jsonl-manifest' | 'catalog-export';

export interface DatasetReport {
  readonly format: DatasetFormat;
  /** Pairs found before keyword filtering (unreadable images not counted). */
  readonly total: number;
  readonly kept: number;
  /** Dropped by the keyword filter. */
  readonly dropped: number;
  /** Images that could not be read, with why; skipped, never fatal. */
  readonly unreadable: readonly { image: string; reason: string }[];
  /** Other things worth telling the user (an image without a caption, a bad manifest line). */
  readonly warnings: readonly string[];
}

export interface LoadedDataset {
  readonly examples: readonly TrainingExample[];
  readonly report: DatasetReport;
}

/** A dataset the user pointed at that cannot be used at all (not one bad image: those are skipped). */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'] as const;

export function isImageFile(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}
