# The gRPC inference server. Build from the repository root:
#   docker build -f deploy/docker/inference-server.Dockerfile -t fitting-room/inference-server .
# Weights are not in the image: mount a models folder read-only at /models (`npm run weights` fills one).
# On a GPU node the NVIDIA container toolkit injects the driver's Vulkan ICD (NVIDIA_DRIVER_CAPABILITIES must
# include graphics); the Vulkan loader below is what the webgpu backend (Dawn) opens.

FROM node:20.19.5-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY proto/package.json proto/
COPY server/package.json server/
COPY storefront-app/package.json storefront-app/
COPY widget/package.json widget/
# Only the server's production dependencies (and the contract package it uses).
RUN npm ci --omit=dev --workspace @fitting-room/server --workspace @fitting-room/proto --include-workspace-root=false --no-audit --no-fund

FROM node:20.19.5-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends libvulkan1 ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY proto ./proto
COPY server/package.json ./server/
COPY server/src ./server/src
# `npm run weights` as a one-off in this image (the Kubernetes weights Job): downloads into a writable /models.
COPY scripts/weights.ts ./scripts/
ENV NODE_ENV=production \
    TRYON_HOST=0.0.0.0 \
    TRYON_PORT=50051 \
    TRYON_METRICS_PORT=9464 \
    TRYON_MODELS_DIR=/models \
    TRYON_DATA_DIR=/data
RUN mkdir -p /models /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 50051 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "--import", "tsx", "server/src/health-probe.ts"]
# exec form: the server gets SIGTERM itself, drains (refuses new jobs, finishes running ones) and exits.
CMD ["node", "--import", "tsx", "server/src/main.ts"]
