// Original file: tryon/v1/tryon.proto


export interface DatasetReport {
  /**
   * "captions-file", "paired-folder", "jsonl-manifest" or "catalog-export".
   */
  'format'?: (string);
  /**
   * Readable image/text pairs found, kept by the keyword filter, dropped by it, and unreadable images skipped.
   */
  'total'?: (number);
  'kept'?: (number);
  'dropped'?: (number);
  'unreadable'?: (number);
  'warnings'?: (string)[];
}

export interface DatasetReport__Output {
  /**
   * "captions-file", "paired-folder", "jsonl-manifest" or "catalog-export".
   */
  'format': (string);
  /**
   * Readable image/text pairs found, kept by the keyword filter, dropped by it, and unreadable images skipped.
   */
  'total': (number);
  'kept': (number);
  'dropped': (number);
  'unreadable': (number);
  'warnings': (string)[];
}
