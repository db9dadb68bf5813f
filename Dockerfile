# brink's image, for running shards on Kubernetes (docs/scale-out.md):
#   docker build -t brink --build-arg VERSION=$(git describe --always) .
# cgo is required: DuckDB is linked in. So the build stage has gcc and g++
# (golang's Debian image) and the runtime stage is the same Debian release,
# whose glibc and libstdc++ the binary was linked against.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# VERSION, when given, is what `brink version` and the shard manifests say
# (shards of one run must agree on it).
ARG VERSION=
RUN CGO_ENABLED=1 go build -trimpath -buildvcs=false \
      -ldflags "-s -w ${VERSION:+-X brink.Version=$VERSION}" \
      -o /out/brink ./cmd/brink

FROM debian:bookworm-slim
# ca-certificates: HTTPS to the target, S3, CloudWatch. libstdc++6: DuckDB.
# /bin/sh (dash) stays: the Jobs wrap brink in a small shell script.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libstdc++6 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --create-home --home-dir /home/brink brink
COPY --from=build /out/brink /usr/local/bin/brink
# Numeric, so Kubernetes can check runAsNonRoot without reading /etc/passwd.
USER 10001:10001
WORKDIR /home/brink
ENTRYPOINT ["brink"]
CMD ["--help"]
