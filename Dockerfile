# One image for every EC2-side part of Helen. The command picks the part:
#   docker run --rm helen-over-mqtt broker | worker | api | edge | stack | --help
# docker-compose.yml runs it as `broker`, `inference-worker` (N replicas) and `http-api`.
# The sources are the artefact; `npm run build` (below) bundles them into dist/ so the services
# start as plain JavaScript (bin/helen.mjs falls back to tsx, a production dependency, only when
# a bundle is older than its sources).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- dependencies: production only, from the lockfile ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# .npmrc carries onnxruntime-node-install=skip: ONNX Runtime's CPU binaries ship inside the
# npm package; the install step would only fetch the CUDA provider, which a t3 VM cannot use.
COPY package.json package-lock.json .npmrc ./
# Every workspace's manifest (test/compose.test.ts checks this list against package.json),
# so `npm ci` links them and re-runs only when a manifest or the lockfile changes.
COPY schemas/package.json schemas/
COPY features/package.json features/
COPY runtime/package.json runtime/
COPY model-runtime/package.json model-runtime/
COPY synthetic-signer/package.json synthetic-signer/
COPY models/package.json models/
COPY broker/package.json broker/
COPY inference-worker/package.json inference-worker/
COPY http-api/package.json http-api/
COPY edge-publisher/package.json edge-publisher/
COPY monitor/package.json monitor/
COPY stack/package.json stack/
COPY bench/package.json bench/
# onnxruntime-node bundles every platform (~290 MB); only this machine's Linux build stays.
RUN npm ci --omit=dev \
 && npm cache clean --force \
 && arch="$(node -p process.arch)" \
 && find node_modules/onnxruntime-node/bin -mindepth 2 -maxdepth 2 ! -name linux -exec rm -rf {} + \
 && find node_modules/onnxruntime-node/bin -mindepth 3 -maxdepth 3 -path '*/linux/*' ! -name "$arch" -exec rm -rf {} +

# ---- runtime ----
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the service user: a compromised service cannot change
# its own code, model or ACL. tsx keeps its compile cache in /tmp.
COPY --from=deps /app ./
# Sources, the committed model (models/helen-bigru), the shipped ACLs and deploy/docker
# (health check, compose ACL); .dockerignore keeps tests, benches and local files out.
COPY . ./
# Plain JavaScript bundles (dist/, bin/build.mjs): bin/helen.mjs runs them instead of compiling
# the TypeScript through tsx at every start (~40 MB less RSS per process, half the start-up).
RUN npm run build
USER node
EXPOSE 1883 9001 8883 8884 8000
# Checks whichever part runs (its /health, /metrics or MQTT port): see deploy/docker/healthcheck.mjs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "deploy/docker/healthcheck.mjs"]
# V8 flags per part come from docker-compose.yml (NODE_OPTIONS; runtime/src/node-flags.ts says why).
ENTRYPOINT ["node", "bin/helen.mjs"]
CMD ["--help"]
