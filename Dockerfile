# syntax=docker/dockerfile:1
# TelemetryCluster node image.
#   docker build -t telemetry-cluster:dev .
#   docker run --rm -p 4317:4317 -p 4318:4318 -p 13133:13133 telemetry-cluster:dev
# The default command runs hocon/application.conf (a one-node cluster, OTLP in, debug exporter out) with its
# endpoints opened to the container network. Kubernetes (k8s/) replaces the command with
#   run --config /etc/telemetry-cluster/telemetry-cluster.conf
# and mounts that file from a ConfigMap.

# --- build: publish the node (framework-dependent; the runtime image brings ASP.NET Core) ---
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1
# Everything the node's projects need (tests, k8s and build output are kept out by .dockerignore).
COPY . .
# The NuGet cache survives between builds (BuildKit cache mount); it is not part of any layer.
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish src/Nodes/TelemetryCluster.Node/TelemetryCluster.Node.csproj \
      --configuration Release \
      --output /app

# --- runtime ---
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# The base image's ASPNETCORE_HTTP_PORTS=8080 does not describe this app: every server of the node listens where
# its config says (the ports below), so clear it.
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    ASPNETCORE_HTTP_PORTS=
# A 64 MiB gen0 budget (hex). Batches in flight (filelog entries waiting for their parse, records waiting for
# export) then die young instead of being promoted and collected by background gen2 GCs: a 3 M-line file drained at
# 860k instead of 640k lines/s (README, performance). It costs up to that much more RSS under load. Only the
# environment sets it (runtimeconfig.json has no such knob), so a node run outside this image needs the same variable.
ENV DOTNET_GCgen0size=0x4000000
# telemetry-cluster.dll, its dependencies and hocon/ (application.conf, reference.conf, examples) next to it.
COPY --from=build /app ./
# cluster.storage-dir (node-local state); the only place the node writes to besides /tmp.
RUN mkdir -p /var/lib/telemetry-cluster && chown "$APP_UID" /var/lib/telemetry-cluster
# Non-root: the images' `app` user (uid 1654). The Kubernetes Deployment runs it with runAsUser 1654 too.
USER $APP_UID

# 4317 OTLP gRPC, 4318 OTLP HTTP, 8889 prometheus exporter + query API, 8888 own telemetry, 13133 health_check,
# 8558 cluster management, 4053 Akka remoting (DESIGN.md §8).
EXPOSE 4317 4318 8889 8888 13133 8558 4053

# SIGTERM (docker stop, Kubernetes) starts a graceful drain; give `docker stop` a long enough -t (the node may take
# up to ~105 s with the default drain-timeout; Kubernetes uses terminationGracePeriodSeconds: 120).
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "telemetry-cluster.dll"]
CMD ["run", "--set", "receivers::otlp::protocols::grpc::endpoint=0.0.0.0:4317", "--set", "receivers::otlp::protocols::http::endpoint=0.0.0.0:4318", "--set", "extensions::health_check::endpoint=0.0.0.0:13133", "--set", "cluster::storage-dir=/var/lib/telemetry-cluster"]
