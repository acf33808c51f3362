# syntax=docker/dockerfile:1
#
# org-iam-rollout: one image for the HTTP API (`serve`, the default command) and the
# scheduled job (`rollout`; its exit code tells the scheduler whether it succeeded).
#
#   docker build -t org-iam-rollout:0.1.0 .
#   docker run --rm -p 8080:8080 -e API_TOKENS=ops=$(openssl rand -hex 24) -v rollouts:/app/data org-iam-rollout:0.1.0
#   docker run --rm -e AWS_REGION -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN \
#     -v rollouts:/app/data org-iam-rollout:0.1.0 rollout --json
#
# Stages: toolchain (compilers for better-sqlite3's native addon) → build (all dependencies,
# tsc) and deps (production dependencies only) → runtime (no compiler, no dev dependencies).

# Pinned to bookworm: the plain 20-slim tag moves to the next Debian release on its own schedule.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS toolchain
# better-sqlite3 falls back to node-gyp when no prebuilt addon matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

FROM toolchain AS build
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts=false
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM toolchain AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts=false

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="org-iam-rollout" \
      org.opencontainers.image.description="Keep an IAM baseline in every account of an AWS Organization" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
# HOST: the CLI defaults to loopback; inside a container the API must answer on every interface.
ENV HOST=0.0.0.0 \
    PORT=8080 \
    STORE_URL=sqlite:/app/data/rollouts.db
# Root owns the code (the process cannot rewrite it); only the data directory belongs to node.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY --from=build /app/dist ./dist
COPY config ./config
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8080
# No curl in the slim image: Node's own fetch. /healthz needs no token. A `rollout` job
# container never answers it, so job runners (compose, ECS) switch the check off for jobs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve"]
