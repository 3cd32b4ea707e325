# syntax=docker/dockerfile:1
# citebot: `citebot serve` in a container. See README.md, "Docker Compose".
# Bookworm (glibc 2.36) matches the chromadb native binding pinned in package.json `overrides`,
# so the embedded Chroma server also works here when CHROMA_URL is unset.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------- build
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# Dependencies first, so this layer is cached until package*.json change. `--ignore-scripts`
# because `npm ci` would otherwise run our `prepare` (tsc) before the sources are here; it also
# skips dependency install scripts, so the one runtime dependency that needs its own
# (better-sqlite3: fetch a prebuilt binary or compile one) is rebuilt explicitly. esbuild's
# is only for dev tooling (tsx), which is pruned below. onnxruntime-node's script (a CUDA download)
# never runs: --ignore-scripts here, and `allowScripts` in package.json denies it elsewhere.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY config ./config
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts \
 && npm cache clean --force

# ---------------------------------------------------------------- runtime
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HEALTH_PORT=8088
WORKDIR /app

COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config

# A new named volume takes this directory's ownership, so the node user can write to it.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node

# 3000: SLACK_PORT (Slack HTTP mode); 8088: HEALTH_PORT (GET /healthz).
EXPOSE 3000 8088

# No curl in slim images: probe /healthz with node's fetch. It reports liveness: `serve` answers it
# at once and keeps retrying Ollama and Chroma in the background (`ready` says whether they are up).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || 8088) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "dist/cli.js", "serve"]
