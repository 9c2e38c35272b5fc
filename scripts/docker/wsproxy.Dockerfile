# Neon's WebSocket->TCP proxy (github.com/neondatabase/wsproxy), built at a fixed commit:
# upstream publishes its image only as `latest`, which cannot be pinned to a known version.
FROM golang:1.22.12-alpine3.21 AS build
ENV CGO_ENABLED=0 GOBIN=/out
RUN go install github.com/neondatabase/wsproxy@867f7d3ba52e5756dfcf9df22354b1a7f65d515d

FROM alpine:3.21.3
COPY --from=build /out/wsproxy /usr/local/bin/wsproxy
CMD ["wsproxy"]
