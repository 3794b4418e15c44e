# Production image of Årshjul: one image, two roles chosen by the command
# (worker: node dist/app/worker-main.js; API: node dist/app/api-main.js). The build also writes
# dist/workflow-bundle.js, which the worker loads instead of bundling at start.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
CMD ["node", "dist/app/worker-main.js"]
