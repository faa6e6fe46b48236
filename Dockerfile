# syntax=docker/dockerfile:1
#
# One image for every service: the services share libs/ and one lockfile, so building them
# together keeps the dependency set identical across the fleet. Pick the service with
# `--build-arg SERVICE=<name>` (the default command runs it) or override the command with
# `node dist/services/<name>/src/main.js` (compose and Kubernetes do that, so one build serves all).

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
# Scripts stay off: the repository forbids install scripts (package.json "allowScripts"), and
# none is needed. @swc/core and nx ship their binaries as platform packages, and bcrypt loads
# its bundled prebuild through node-gyp-build at run time.
ENV npm_config_ignore_scripts=true \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false

FROM base AS build
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY nx.json tsconfig.base.json tsconfig.json .swcrc ./
COPY libs ./libs
COPY services ./services
# No daemon and no cloud in a throwaway build container.
RUN NX_DAEMON=false NX_NO_CLOUD=true npx nx run-many -t build --skip-nx-cache

# Production dependencies are installed in their own stage so that a source change does not
# reinstall them, and so that no dev tool (nx, swc, jest) reaches the runtime image.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# The numeric id of the image's `node` user: Kubernetes can only prove runAsNonRoot for a
# numeric USER. The files above stay root-owned, so the process cannot modify its own code.
USER 1000:1000
EXPOSE 3000 3001 3002 3003 3004
# METRICS_PORT (9464) is left out on purpose: `docker run -P` publishes every EXPOSEd port, and the
# metrics are for a scraper inside the network only (ADR 0010).
# Declared after every COPY so that images built for different services share all their layers.
ARG SERVICE=gateway
ENV SERVICE=${SERVICE}
# No HEALTHCHECK: the gateway's health path differs from the others' (/api/health/...), and
# compose and Kubernetes declare the right probe per service.
# `exec` makes node PID 1, so SIGTERM reaches it and NestJS shuts down gracefully.
# Memory sizing, as in deploy/local/up.sh (V8_HEAP_FLAGS): a young generation and old-generation growth
# fitted to a service whose live heap is about 50 MiB.
ENV MALLOC_ARENA_MAX=2
CMD ["sh", "-c", "exec node --max-semi-space-size=16 --initial-old-space-size=64 --heap-growing-percent=50 dist/services/${SERVICE}/src/main.js"]
