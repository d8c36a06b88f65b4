# The `mesdonnees` binary, and the reference app `mesdonnees-cahier`, in a slim Debian image.
# Needs BuildKit (the default builder since Docker 23) for the cache mounts.

FROM rust:1.95-bookworm AS builder

# Nothing to install: libpq and OpenSSL are built from source with the image's C compiler,
# make and perl, and linked statically.
WORKDIR /src
# Every workspace member must be present for `--locked` to resolve, tests/ included;
# openapi/ is read by tests/ through include_str!.
COPY Cargo.toml Cargo.lock ./
COPY crates crates
COPY tests tests
COPY openapi openapi

# Cache mounts keep the registry and compiled dependencies between builds without stub crates.
# The target mount is not part of the image, so the binary is copied out in the same step.
# `locked` because compose builds api, worker and migrate from this file at the same time.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked -p mesdonnees -p mesdonnees-cahier \
 && install -D -m 0755 target/release/mesdonnees /out/mesdonnees \
 && install -D -m 0755 target/release/mesdonnees-cahier /out/mesdonnees-cahier


FROM debian:bookworm-slim

# curl is for container health checks; ca-certificates for TLS to S3 and remote apps. No libpq:
# the binary carries its own.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*

# A fixed uid so that bind-mounted volumes can be given to it from the host.
RUN groupadd --gid 10001 mesdonnees \
 && useradd --uid 10001 --gid 10001 --no-create-home \
        --home-dir /var/lib/mesdonnees --shell /usr/sbin/nologin mesdonnees \
 && install -d -o mesdonnees -g mesdonnees -m 0750 /var/lib/mesdonnees /var/lib/mesdonnees/cahier

# A volume mounted on /var/lib/mesdonnees/cahier starts with that folder's owner.
COPY --from=builder /out/mesdonnees /out/mesdonnees-cahier /usr/local/bin/

# Numeric, so that orchestrators can verify runAsNonRoot without reading /etc/passwd.
USER 10001:10001
WORKDIR /var/lib/mesdonnees
EXPOSE 8080

ENTRYPOINT ["mesdonnees"]
# Without other configuration this is the embedded mode: SQLite, local objects and an
# in-process queue, all under the data folder.
CMD ["serve", "--bind", "0.0.0.0:8080", "--data-dir", "/var/lib/mesdonnees"]
