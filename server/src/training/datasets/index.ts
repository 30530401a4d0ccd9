export { loadDataset, detectFormat, type DatasetSource } from './load-dataset.js';
export { parseKeywords, matchesKeywords } from './keyword-filter.js';
export { CATALOG_FILE, catalogLineSchema, catalogCaption, type CatalogLine } from './catalog-export.js';
export { DatasetError, type TrainingExample, type DatasetReport, type LoadedDataset, type DatasetFormat } from './types.js';
