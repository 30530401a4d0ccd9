// Admin GraphQL documents for the catalog and the zod shape of what they return.
import { z } from 'zod';
import type { CatalogProduct } from '../catalog/product.js';

const PRODUCT_FIELDS = `
  id handle title productType tags description
  featuredMedia { preview { image { url } } }`;

export const CATALOG_PAGE = `query CatalogPage($first: Int!, $after: String) {
  products(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { ${PRODUCT_FIELDS} variants(first: 50) { nodes { id title } } }
  }
}`;

export const PRODUCT_BY_ID = `query ProductById($id: ID!) {
  product(id: $id) { ${PRODUCT_FIELDS} variants(first: 50) { nodes { id title } } }
}`;

export const PRODUCTS_COUNT = `query ProductsCount { productsCount { count } }`;

/** Bulk queries flatten nested connections into JSONL lines linked by `__parentId`. */
export const BULK_CATALOG_QUERY = `{
  products { edges { node { ${PRODUCT_FIELDS} variants { edges { node { id title } } } } } }
}`;

export const START_BULK = `mutation StartCatalogBulk($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message } }
}`;

export const BULK_STATUS = `query BulkStatus($id: ID!) {
  node(id: $id) { ... on BulkOperation { id status errorCode objectCount url } }
}`;

export const productNode = z.object({
  id: z.string(),
  handle: z.string(),
  title: z.string(),
  productType: z.string(),
  tags: z.array(z.string()),
  description: z.string(),
  featuredMedia: z.object({ preview: z.object({ image: z.object({ url: z.string() }).nullable() }).nullable() }).nullable(),
});
const variantNode = z.object({ id: z.string(), title: z.string() });

export const catalogPage = z.object({
  products: z.object({
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
    nodes: z.array(productNode.extend({ variants: z.object({ nodes: z.array(variantNode) }) })),
  }),
});
export const productById = z.object({ product: productNode.extend({ variants: z.object({ nodes: z.array(variantNode) }) }).nullable() });
export const productsCount = z.object({ productsCount: z.object({ count: z.number() }) });
export const startBulk = z.object({
  bulkOperationRunQuery: z.object({
    bulkOperation: z.object({ id: z.string(), status: z.string() }).nullable(),
    userErrors: z.array(z.object({ message: z.string() })),
  }),
});
export const bulkStatus = z.object({
  node: z.object({ id: z.string(), status: z.string(), errorCode: z.string().nullable(), objectCount: z.string(), url: z.string().nullable() }).nullable(),
});
export const bulkVariantLine = variantNode.extend({ __parentId: z.string() });

export function toCatalogProduct(node: z.infer<typeof productNode>, variants: z.infer<typeof variantNode>[]): CatalogProduct {
  return {
    productId: node.id,
    handle: node.handle,
    title: node.title,
    productType: node.productType,
    tags: node.tags,
    description: node.description,
    imageUrl: node.featuredMedia?.preview?.image?.url ?? null,
    variants,
  };
}
