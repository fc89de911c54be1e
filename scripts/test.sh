#!/usr/bin/env bash
# The one test command (README): builds the solution, runs every test project, and ends with "N passed, N failed".
# It installs and starts whatever the tests need on a machine that has only the .NET SDK, and stops it afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."

results=$(mktemp -d)
cleanup() {
  bash scripts/servers.sh stop || true
  rm -rf "$results"
}
trap cleanup EXIT

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# What the tests need beyond the SDK, from Debian's packages (the README promises a machine with only the .NET SDK).
install_packages() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  # ObservabilityTests start Prometheus with docs/observability/prometheus.yml against the apps' /metrics.
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing ${missing[*]} (apt-get)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
if ! install_packages; then
  echo "could not install the packages the tests need"
  echo "0 passed, 1 failed"
  exit 1
fi

# kubectl (kustomize built in) renders deploy/'s overlays for DeployManifestTests. apt sources name it `kubectl`
# (Kubernetes' own repository, Google Cloud's) or `kubernetes-client` (Debian's, where it exists). If neither installs,
# the run goes on and those tests fail, saying kubectl is missing: deploy/ is never passed unchecked.
install_kubectl() {
  command -v kubectl >/dev/null 2>&1 && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq || return 1
  local package
  for package in kubectl kubernetes-client; do
    echo "== installing $package (apt-get)"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$package" >/dev/null 2>&1 && command -v kubectl >/dev/null 2>&1 && return 0
  done
  return 1
}
if ! install_kubectl; then
  echo "!! kubectl could not be installed: DeployManifestTests will fail (install kubectl, then run this again)"
fi

# RabbitMQ and PostgreSQL for the broker and store tests (scripts/servers.sh): their addresses come back in a file.
echo "== servers"
if ! servers_env=$(bash scripts/servers.sh start); then
  echo "could not start the servers the tests need"
  echo "0 passed, 1 failed"
  exit 1
fi
# shellcheck disable=SC1090
source "$servers_env"

echo "== build"
if ! dotnet build Veltrix.sln -c Debug -v quiet -nologo; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== test"
# One project at a time: each starts real sidecar processes, and two cores are better spent on one suite at a time.
status=0
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  # A test that hangs is stopped after 10 minutes (the longest end-to-end test takes about 3) and named in the log,
  # so one hang fails its project instead of eating the whole CI budget.
  dotnet test "$project" -c Debug --no-build -nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --blame-hang-timeout 10m --blame-hang-dump-type none || status=1
done

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  s=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
done
# A test host that crashed writes no counters: count the run as failed rather than report a clean zero.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
