#!/usr/bin/env bash
# Builds the binaries of the cluster test tier from the Go module proxy with the machine's
# Go toolchain, into <repo>/.cache/cluster-tools/<versions-key>/bin (git-ignored):
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  (k8s.io/kubernetes)
#   etcd                                                               (go.etcd.io/etcd/server/v3)
#   kured                                                              (github.com/kubereboot/kured/cmd/kured)
#   helm                                                               (helm.sh/helm/v3/cmd/helm)
# Each tool group is built in a throw-away Go module under the cache dir (never in the repo);
# GOMODCACHE and GOCACHE stay machine-wide. A group whose binaries exist for the key is skipped,
# and binaries of an unchanged group are reused from another key's dir, so a warm run takes
# seconds. Writes <repo>/.cache/cluster-tools/current (the bin dir of this key) for the harness.
#
# Environment:
#   KURED_SRC=<dir>   build kured from a local source tree of kubereboot/kured (its go.mod must
#                     say module github.com/kubereboot/kured) when the proxy does not serve it.
#   CLUSTER_TOOLS_GROUPS="k8s etcd kured helm"  the groups to check/build (default: all four).
#   CLUSTER_TOOLS_REQUIRE=control-plane|all  exit non-zero when k8s or etcd cannot be built
#                     (default: the tier cannot run without them), or when any group cannot.
# Exit status: 0 = usable (a missing kured or helm is reported in one line and in manifest.json;
# the tests that need them skip), 1 = a required group failed, 2 = no Go toolchain.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tools.versions
source "$here/tools.versions"

log() { printf '[build-tools] %s\n' "$*"; }

if ! command -v go >/dev/null 2>&1; then
  echo "build-tools: missing the Go toolchain (go1.26+ on PATH) needed to build kube-apiserver, etcd, kured and helm for the cluster tests" >&2
  exit 2
fi

govers=$(go env GOVERSION)
key="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kured-${KURED_VERSION}_helm-${HELM_VERSION}_${govers}"
base="$root/.cache/cluster-tools"
dir="$base/$key"
bin="$dir/bin"
mkdir -p "$bin" "$dir/stamps" "$dir/src" "$dir/logs"

require=${CLUSTER_TOOLS_REQUIRE:-control-plane}
groups=" ${CLUSTER_TOOLS_GROUPS:-k8s etcd kured helm} "
want() { [[ "$groups" == *" $1 "* ]]; }
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
k8s_minor_ver="v0.${K8S_VERSION#v1.}" # v1.36.3 -> v0.36.3

# stamp content identifies one group's inputs; equal stamps in another key dir mean reusable binaries
stamp_k8s="k8s.io/kubernetes@${K8S_VERSION} ${govers}"
stamp_etcd="go.etcd.io/etcd/server/v3@${ETCD_VERSION} ${govers}"
stamp_kured="github.com/kubereboot/kured@${KURED_VERSION} ${govers} src=${KURED_SRC:-proxy}"
stamp_helm="helm.sh/helm/v3@${HELM_VERSION} ${govers}"

have() { # group stamp binaries...
  local group=$1 stamp=$2; shift 2
  [[ -f "$dir/stamps/$group" && "$(cat "$dir/stamps/$group")" == "$stamp" ]] || return 1
  local b; for b in "$@"; do [[ -x "$bin/$b" ]] || return 1; done
}

reuse() { # group stamp binaries... : hard-link binaries from another key dir with the same stamp
  local group=$1 stamp=$2; shift 2
  local other
  for other in "$base"/*/; do
    other=${other%/}
    [[ "$other" == "$dir" ]] && continue
    [[ -f "$other/stamps/$group" && "$(cat "$other/stamps/$group")" == "$stamp" ]] || continue
    local ok=1 b
    for b in "$@"; do [[ -x "$other/bin/$b" ]] || ok=0; done
    ((ok)) || continue
    for b in "$@"; do ln -f "$other/bin/$b" "$bin/$b" 2>/dev/null || cp -f "$other/bin/$b" "$bin/$b"; done
    printf '%s' "$stamp" >"$dir/stamps/$group"
    log "$group: reused binaries from $(basename "$other")"
    return 0
  done
  return 1
}

# go build -v prints each package it compiles: show a count instead of thousands of lines
progress() { # group
  awk -v g="$1" '{ n++; if (n % 250 == 0) { printf "[build-tools] %s: %d packages compiled\n", g, n; fflush() } } END { printf "[build-tools] %s: %d packages compiled\n", g, n }'
}

run_logged() { # group logfile cmd...
  local group=$1 logf=$2; shift 2
  if ! "$@" >>"$logf" 2>&1; then
    log "$group: FAILED: $* (last lines of $logf):"
    tail -n 25 "$logf" >&2
    return 1
  fi
}

build_group() { # group pkgs-to-build (space separated) ldflags [output file; default: bin dir]
  local group=$1 pkgs=$2 ldflags=$3 out=${4:-$bin/}
  local mod="$dir/src/$group" logf="$dir/logs/$group.log"
  log "$group: go build $pkgs"
  # shellcheck disable=SC2086
  if ! (cd "$mod" && go build -v -trimpath -ldflags "-s -w $ldflags" -o "$out" $pkgs 2>&1 | tee -a "$logf" | progress "$group"); then
    log "$group: FAILED (last lines of $logf):"
    tail -n 25 "$logf" >&2
    return 1
  fi
}

new_module() { # group
  local mod="$dir/src/$1"
  rm -rf "$mod" && mkdir -p "$mod"
  : >"$dir/logs/$1.log"
  printf 'module patchwindow.test/clustertools/%s\n\ngo 1.26\n' "$1" >"$mod/go.mod"
  printf 'package tools\n' >"$mod/doc.go"
}

failed=()
t_all=$SECONDS

# ---- k8s.io/kubernetes --------------------------------------------------------------------
k8s_bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
if ! want k8s; then
  :
elif have k8s "$stamp_k8s" "${k8s_bins[@]}" || reuse k8s "$stamp_k8s" "${k8s_bins[@]}"; then
  log "k8s $K8S_VERSION: up to date"
else
  t0=$SECONDS
  log "k8s $K8S_VERSION: preparing module (cold build of 4 binaries takes a long while on 2 cores)"
  new_module k8s
  mod="$dir/src/k8s"
  if ! gomod=$(cd "$mod" && go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p') || [[ -z "$gomod" ]]; then
    log "k8s: k8s.io/kubernetes@${K8S_VERSION} is not available from the Go module proxy"
    failed+=(k8s)
  else
    # k8s.io/kubernetes requires its staging modules as v0.0.0 with "=> ./staging/src/..." replaces;
    # outside its repo they come from the proxy at the matching v0.<minor>.<patch>.
    {
      printf '\nrequire k8s.io/kubernetes %s\n\n' "$K8S_VERSION"
      sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/src/k8s\.io/.*$#replace \1 => \1 '"$k8s_minor_ver"'#p' "$gomod"
    } >>"$mod/go.mod"
    log "k8s: $(grep -c '^replace' "$mod/go.mod") staging replaces -> $k8s_minor_ver"
    pkgs="k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl"
    v=$K8S_VERSION minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
    ld=""
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld+=" -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
    done
    # shellcheck disable=SC2086
    if run_logged k8s "$dir/logs/k8s.log" bash -c "cd '$mod' && go get $(for p in $pkgs; do printf '%s@%s ' "$p" "$K8S_VERSION"; done)" && build_group k8s "$pkgs" "$ld"; then
      printf '%s' "$stamp_k8s" >"$dir/stamps/k8s"
      log "k8s: built in $((SECONDS - t0))s"
    else
      failed+=(k8s)
    fi
  fi
fi

# ---- etcd ---------------------------------------------------------------------------------
if ! want etcd; then
  :
elif have etcd "$stamp_etcd" etcd || reuse etcd "$stamp_etcd" etcd; then
  log "etcd $ETCD_VERSION: up to date"
else
  t0=$SECONDS
  new_module etcd
  mod="$dir/src/etcd"
  # the etcd server main package is the root of module go.etcd.io/etcd/server/v3 (server/main.go)
  if run_logged etcd "$dir/logs/etcd.log" bash -c "cd '$mod' && go get go.etcd.io/etcd/server/v3@$ETCD_VERSION" \
    && build_group etcd "go.etcd.io/etcd/server/v3" "" "$bin/etcd"; then
    printf '%s' "$stamp_etcd" >"$dir/stamps/etcd"
    log "etcd: built in $((SECONDS - t0))s"
  else
    failed+=(etcd)
  fi
fi

# ---- kured --------------------------------------------------------------------------------
if ! want kured; then
  :
elif have kured "$stamp_kured" kured || reuse kured "$stamp_kured" kured; then
  log "kured $KURED_VERSION: up to date"
else
  t0=$SECONDS
  new_module kured
  mod="$dir/src/kured"
  ok=1
  if [[ -n "${KURED_SRC:-}" ]]; then
    src=$(cd "$KURED_SRC" && pwd)
    printf '\nrequire github.com/kubereboot/kured %s\nreplace github.com/kubereboot/kured => %s\n' "$KURED_VERSION" "$src" >>"$mod/go.mod"
    log "kured: building from local source tree $src"
  elif ! (cd "$mod" && go mod download "github.com/kubereboot/kured@$KURED_VERSION" >>"$dir/logs/kured.log" 2>&1); then
    log "kured: github.com/kubereboot/kured@$KURED_VERSION is not served by the Go module proxy ($(grep -m1 -o '[0-9]\{3\} [A-Za-z ]*' "$dir/logs/kured.log" || echo refused)); set KURED_SRC=<kured $KURED_VERSION source tree> to build it"
    ok=0
  fi
  # from the proxy: go get at the version; from a local tree (replaced): go build resolves its deps
  getcmd="go get github.com/kubereboot/kured/cmd/kured@$KURED_VERSION"
  [[ -z "${KURED_SRC:-}" ]] || getcmd="go mod download"
  if ((ok)) && run_logged kured "$dir/logs/kured.log" bash -c "cd '$mod' && $getcmd" \
    && build_group kured "github.com/kubereboot/kured/cmd/kured" "-X main.version=$KURED_VERSION"; then
    printf '%s' "$stamp_kured" >"$dir/stamps/kured"
    log "kured: built in $((SECONDS - t0))s"
  else
    failed+=(kured)
  fi
fi

# ---- helm ---------------------------------------------------------------------------------
if ! want helm; then
  :
elif have helm "$stamp_helm" helm || reuse helm "$stamp_helm" helm; then
  log "helm $HELM_VERSION: up to date"
else
  t0=$SECONDS
  new_module helm
  mod="$dir/src/helm"
  if run_logged helm "$dir/logs/helm.log" bash -c "cd '$mod' && go get helm.sh/helm/v3/cmd/helm@$HELM_VERSION" \
    && build_group helm "helm.sh/helm/v3/cmd/helm" "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"; then
    printf '%s' "$stamp_helm" >"$dir/stamps/helm"
    log "helm: built in $((SECONDS - t0))s"
  else
    failed+=(helm)
  fi
fi

printf '%s\n' "$bin" >"$base/current"
{
  printf '{"key":"%s","bin":"%s","missing":[' "$key" "$bin"
  sep=""; for f in "${failed[@]}"; do printf '%s"%s"' "$sep" "$f"; sep=","; done
  printf ']}\n'
} >"$dir/manifest.json"

if ((${#failed[@]})); then
  log "done in $((SECONDS - t_all))s; NOT built: ${failed[*]} (bin dir: $bin)"
  [[ "$require" == all ]] && exit 1
  for f in "${failed[@]}"; do [[ "$f" == k8s || "$f" == etcd ]] && exit 1; done
  exit 0
fi
log "done in $((SECONDS - t_all))s; binaries in $bin"
