# baocao-bot: production image. Build: docker build -t baocao-bot .
# Run:   docker run -d --name baocao-bot --env-file baocao.env -v baocao-data:/data -p 127.0.0.1:8080:8080 baocao-bot
# CLI:   docker exec baocao-bot node dist/cli.js backup
# (README.md, "Running on a server".)

# --- build: compile the TypeScript, then drop the development packages -----------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary fits this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Sources only (.dockerignore leaves out node_modules, data, tests, benchmarks).
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- run: node, the compiled program and its runtime packages, as an unprivileged user -------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DATABASE_PATH=/data/baocao.db \
    OUTPUT_DIR=/data/out \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The database, its WAL, generated files and backups live on the volume; the image stays read-only.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# /healthz answers 200 while the database answers (the HTTP server runs whenever a chat channel runs).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same command as `npm start` runs after its build (README.md); node is PID 1 and gets SIGTERM itself.
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=50", "dist/bot/main.js"]
