# Tracer image: build stage (dev dependencies, nest build + dashboard), then a runtime stage with
# production dependencies only, running as the unprivileged `node` user.
#   docker build -t tracer .
#   docker run -p 3000:3000 -v tracer-data:/data tracer                       # embedded database in /data
#   docker run -p 3000:3000 -e DATABASE_URL=postgres://... -e TRACER_ADMIN_KEY=... tracer
# .ci/run performs the same steps without a container runtime (clean copy, npm ci --omit=dev, start, /readyz).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
COPY sdk/package.json sdk/
COPY examples/express-example/package.json examples/express-example/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    TRACER_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# The workspaces (SDK, example) are not needed at run time: only the app's own production dependencies.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY --from=build /src/web/dist ./web/dist
COPY bin ./bin
RUN ln -s /app/bin/tracer.js /usr/local/bin/tracer \
 && mkdir -p /data && chown node:node /data
USER node
# The embedded database (when DATABASE_URL is unset) lives here; mount a volume to keep it.
VOLUME /data
EXPOSE 3000
# Liveness only: /livez never touches the database, so a database blip does not mark the container unhealthy.
# start-period covers migrations at first start.
HEALTHCHECK --interval=15s --timeout=3s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/livez').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself (graceful drain within SHUTDOWN_TIMEOUT_SECONDS, below docker stop's 10 s).
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
