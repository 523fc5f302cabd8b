# The engine's worker and API for docker-compose: Temporal and PostgreSQL come from
# their own services, so no Temporal binary is provisioned here.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install with the lock: see scripts/bootstrap.sh for why not npm ci
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
# docker-compose runs dist/main/worker.js and dist/main/api.js from this one image
CMD ["node", "dist/main/worker.js"]
