# The hongyan binary in a small image; docker-compose.yml runs it as api and worker.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p hongyan-api && cp target/release/hongyan /hongyan

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /var/lib/hongyan hongyan \
    && mkdir -p /var/lib/hongyan && chown hongyan /var/lib/hongyan
COPY --from=build /hongyan /usr/local/bin/hongyan
USER hongyan
WORKDIR /var/lib/hongyan
ENV HONGYAN_HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["hongyan"]
CMD ["serve"]
