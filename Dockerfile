# One image for every patchwindow process: `patchwindow bot` (the default), `patchwindow agent`
# (the node DaemonSet) and `patchwindow reap` (the safety-net Job).
# Build: docker build -t patchwindow:0.1.0 .   (not built in this repository's CI: no Docker engine
# there; test/unit/dockerfile.test.ts checks this file statically.)

ARG NODE_BUILD_IMAGE=node:24-bookworm
ARG NODE_RUNTIME_IMAGE=node:24-bookworm-slim

# Build stage: production dependencies only; sqlite3 compiles its native module here (python3,
# make and g++ are in the full image) against this Node's own headers.
FROM ${NODE_BUILD_IMAGE} AS build
WORKDIR /app
# The repository's .npmrc points node-gyp at the system headers of an offline machine; in the
# image they live under /usr/local.
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && node -e "require('sqlite3')" \
 && npm cache clean --force

# Runtime stage: Node 24 slim, no compiler, no npm cache, a non-root user.
FROM ${NODE_RUNTIME_IMAGE}
ENV NODE_ENV=production \
    PATCHWINDOW_HTTP_HOST=0.0.0.0 \
    PATCHWINDOW_DB=/var/lib/patchwindow/patchwindow.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY bot ./bot
COPY agent ./agent
COPY storage ./storage
COPY manifests/teams ./manifests/teams
# 65532: the conventional "nonroot" uid; the database directory belongs to it (a PVC is mounted
# there in a cluster, with fsGroup 65532).
RUN mkdir -p /var/lib/patchwindow && chown 65532:65532 /var/lib/patchwindow
USER 65532:65532
EXPOSE 3000
# Node 24 runs the TypeScript sources directly (type stripping): there is no build output.
ENTRYPOINT ["node", "bot/cli.ts"]
CMD ["bot"]
