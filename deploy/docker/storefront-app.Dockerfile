# The storefront app (Shopify app + the widget bundle it serves). Build from the repository root:
#   docker build -f deploy/docker/storefront-app.Dockerfile -t fitting-room/storefront-app .
# Shopify credentials, DATABASE_URL and TRYON_API_KEY come from the environment (Secrets), never the image.

FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY proto/package.json proto/
COPY server/package.json server/
COPY storefront-app/package.json storefront-app/
COPY widget/package.json widget/
RUN npm ci --workspace @fitting-room/widget --workspace @fitting-room/proto --include-workspace-root=false --no-audit --no-fund
COPY proto ./proto
COPY widget ./widget
RUN npm run build --workspace @fitting-room/widget

FROM node:20.19.5-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY proto/package.json proto/
COPY server/package.json server/
COPY storefront-app/package.json storefront-app/
COPY widget/package.json widget/
RUN npm ci --omit=dev --workspace @fitting-room/storefront-app --include-workspace-root=false --no-audit --no-fund

FROM node:20.19.5-bookworm-slim
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY proto ./proto
COPY widget/package.json widget/bundle-path.ts ./widget/
COPY --from=build /app/widget/dist ./widget/dist
COPY storefront-app/package.json storefront-app/shopify.app.toml storefront-app/shopify.web.toml ./storefront-app/
COPY storefront-app/src ./storefront-app/src
COPY storefront-app/extensions ./storefront-app/extensions
ENV NODE_ENV=production \
    BIND_HOST=0.0.0.0 \
    PORT=3000 \
    PHOTO_TTL_HOURS=24
# SQLite (when DATABASE_URL is not set) and catalog exports live in /app/data: a volume, never the image.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "storefront-app/src/main.ts"]
