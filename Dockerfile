# syntax=docker/dockerfile:1
# Build stage: compile TypeScript, then drop dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: compiled code, production dependencies, migrations and templates; runs as a non-root user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
# The live heap stays under ~100 MB even with a 20,000-closure backlog; without a cap V8 lets garbage
# grow the heap (and RSS) far beyond that before collecting. 192 MB keeps a process under ~300 MB RSS.
# Semi-spaces of 4 MB (Node 24's default grows them to 16 MB) keep ~35 MB of young-generation garbage
# out of an idle process's RSS; measured under the bench's backlog in BENCH.md. The benches use these
# same flags (src/bench/v8-flags.ts; a test compares them).
ENV NODE_OPTIONS="--max-old-space-size=192 --max-semi-space-size=4"
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY templates ./templates
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/main.js"]
CMD ["serve"]
