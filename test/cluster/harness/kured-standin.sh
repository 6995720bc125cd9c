#!/bin/sh
# kured STAND-IN - not kured. Used only when asked for (CLUSTER_KURED=standin) on a machine where
# the real kured binary cannot be built, to develop and check the harness and the smoke test.
# It follows kured's main loop (cmd/kured rebootAsRequired) with kubectl, in the same node sandbox:
# in-cluster config, the /var/run/reboot-required sentinel, the lock annotation on kured's
# DaemonSet (single-owner form, updated with optimistic concurrency as kured does), cordon and
# drain (kubectl drain uses k8s.io/kubectl/pkg/drain, as kured does, with the same options),
# `nsenter -m/proc/1/ns/mnt -- <reboot command>`, and after the reboot uncordon + lock release.
# It logs as kured 1.23 does (slog text records; the drain library's output as "draining: results"
# records with a stdout/stderr attribute), so the bot reads the same lines from its pod log.
# Usage: kured-standin.sh KUBECTL PERIOD_SECONDS REBOOT_COMMAND DS_NAMESPACE DS_NAME  (KURED_NODE_ID set)
set -u
kubectl=$1 period=$2 reboot=$3 ns=$4 ds=$5
node=${KURED_NODE_ID:?KURED_NODE_ID is required}
ann=weave.works/kured-node-lock
# slog quotes a value as Go's strconv.Quote does: backslash and double quote escaped
quote() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
say() { printf '%s\n' "time=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) level=INFO msg=\"$(quote "$*")\" node=$node"; }
# kured wraps the drain library's Out and ErrOut (cmd/kured slogWriter): one record per line written,
# the line (with its newline) in a stdout or stderr attribute
results() { # stdout|stderr
  while IFS= read -r line; do
    case "$line" in
      # kubectl drain's own progress lines (its command, not the library): kured prints none of them
      "node/$node cordoned" | "node/$node drained" | pod/*" evicted") continue ;;
    esac
    printf '%s\n' "time=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) level=INFO msg=\"draining: results\" node=$node $1=\"$(quote "$line")\\n\""
  done
}

lock() { # prints "<resourceVersion> <lock annotation value>"
  "$kubectl" get daemonset "$ds" -n "$ns" \
    -o "jsonpath={.metadata.resourceVersion} {.metadata.annotations.weave\.works/kured-node-lock}"
}
# kured's RBAC lets it update (not patch) its DaemonSet: read, change locally, replace (PUT) - the
# resourceVersion read travels with the object, so a concurrent change makes the replace fail.
set_lock() { # resourceVersion-the-decision-was-based-on annotation-argument ("key=value" or "key-")
  json=$("$kubectl" get daemonset "$ds" -n "$ns" -o json) || return 1
  json=$(printf '%s\n' "$json" | sed "s/\"resourceVersion\": \"[0-9]*\"/\"resourceVersion\": \"$1\"/" |
    "$kubectl" annotate --local --overwrite -f - -o json "$2") || return 1
  [ -n "$json" ] || return 1
  printf '%s\n' "$json" | "$kubectl" replace -f - >/dev/null
}

say "Starting kured stand-in (not kured)"
while :; do
  sleep "$period"
  state=$(lock) || continue
  rv=${state%% *} value=${state#* }
  [ "$value" = "$rv" ] && value=""
  case "$value" in *"\"nodeID\":\"$node\""*) holding=1 ;; *) holding=0 ;; esac

  if [ ! -f /var/run/reboot-required ]; then
    [ "$holding" = 1 ] || continue
    case "$value" in
      *'"unschedulable":false'*) say "uncordoning node"; "$kubectl" uncordon "$node" >/dev/null || continue ;;
    esac
    set_lock "$rv" "$ann-" && say "lock released"
    continue
  fi

  if [ "$holding" = 0 ]; then
    if [ -n "$value" ]; then
      say "Lock already held by $value, will retry at next tick"
      continue
    fi
    unschedulable=$("$kubectl" get node "$node" -o jsonpath='{.spec.unschedulable}')
    [ "$unschedulable" = true ] || unschedulable=false
    new="{\"nodeID\":\"$node\",\"metadata\":{\"unschedulable\":$unschedulable},\"created\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"TTL\":0}"
    set_lock "$rv" "$ann=$new" || continue
    say "lock acquired"
  fi

  say "Starting drain"
  rcfile="$HOME/drain.rc" errfifo="$HOME/drain.stderr"
  rm -f "$errfifo" && mkfifo "$errfifo"
  results stderr <"$errfifo" &
  errreader=$!
  { "$kubectl" drain "$node" --ignore-daemonsets --delete-emptydir-data --force 2>"$errfifo"; echo "$?" >"$rcfile"; } | results stdout
  wait "$errreader"
  if [ "$(cat "$rcfile")" != 0 ]; then
    state=$(lock) && set_lock "${state%% *}" "$ann-"
    say "Performing a best-effort uncordon after failed cordon and drain"
    "$kubectl" uncordon "$node" >/dev/null
    continue
  fi
  say "Triggering reboot for node $node"
  /usr/bin/nsenter -m/proc/1/ns/mnt -- "$reboot" && say "Invoked reboot command"
  while :; do
    say "Waiting for reboot"
    sleep 60
  done
done
