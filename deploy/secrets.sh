#!/usr/bin/env bash
# Writes the .env files the kustomizations turn into Secrets (docs/deploy.md, step 3): fresh random tokens for the
# base, and the broker's and store's credentials for one overlay. Existing files are kept, so running it again never
# rotates a token by accident. The files are git-ignored; edit the connection strings before applying.
#   bash deploy/secrets.sh rabbitmq|redis|kafka
set -euo pipefail
cd "$(dirname "$0")"
overlay=${1:-}
case "$overlay" in rabbitmq|redis|kafka) ;; *) echo "usage: bash deploy/secrets.sh rabbitmq|redis|kafka" >&2; exit 2 ;; esac

token() { head -c 32 /dev/urandom | base64 | tr -d '\n='; }
write() { # file, then KEY=VALUE lines
  local file=$1; shift
  if [ -f "$file" ]; then echo "kept    $file"; return; fi
  mkdir -p "$(dirname "$file")"
  (umask 077; printf '%s\n' "$@" > "$file")
  echo "written $file"
}

# A Dapr API token and an app token per app (deploy/base/kustomization.yaml), as daprd has them: one leaked pair opens
# one app's sidecar and app only. The apps of dapr.yaml; DeployManifestTests fails when one lacks its pair.
for app in control gateway hunt leaderboard prizes scoring; do
  write base/secrets/dapr-api-token-$app.env "token=$(token)"
  write base/secrets/app-api-token-$app.env "token=$(token)"
done
write base/secrets/veltrix-operator-token.env "token=$(token)"
case "$overlay" in
  rabbitmq)
    password=$(token)
    write overlays/rabbitmq/secrets/rabbitmq.env "connectionString=amqp://veltrix:$password@rabbitmq.veltrix.svc.cluster.local:5672"
    password=$(token)
    write overlays/rabbitmq/secrets/postgresql.env \
      "connectionString=host=postgresql.veltrix.svc.cluster.local port=5432 user=veltrix password=$password database=veltrix"
    ;;
  redis)
    write overlays/redis/secrets/redis.env "password=$(token)"
    ;;
  kafka)
    : # Kafka (authType none) and etcd take no credentials in this overlay; the tokens are all it needs.
    ;;
esac
