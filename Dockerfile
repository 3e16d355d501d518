FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
RUN ln -s /app/bin/he-connector /usr/local/bin/he-connector
USER node
CMD ["he-connector", "run"]
