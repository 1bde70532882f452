#!/usr/bin/env bash
# Whole-process benchmark of `evident evaluate` over the whole built-in check
# library, on generated evidence of 0.5x, 1x and 2x the reference size
# (1x = an IAM credential report of 100,000 users, a Terraform plan of
# 50,000 resource changes, a git history of 200,000 commits).
#
#   bench/evaluate.sh [RUNS] [SCALES...]      (defaults: 3 runs, scales 0.5 1 2)
#
# Per scale: generates the repository once (cached under target/bench/),
# collects it into a fresh store (once, timed but not part of the ratios),
# then times `evident evaluate DIR --at 2026-11-28` RUNS times (best wall,
# its CPU and peak RSS, from GNU time) and, in the same run and on the same
# bytes, two baselines (best of RUNS each, whole processes):
#   - `openssl dgst -sha256` over the three stored artefacts (the CSV, the
#     plan, the git collector's JSON): reading the evidence once;
#   - `python3 -c 'json.load(...)'` of the three normalised documents:
#     parsing what the checks get as `input`, once.
# Prints a Markdown table. Exit 1 from `evaluate` (some checks fail) is
# expected: the generated estate has problems on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
[ $# -gt 0 ] && scales=("$@") || scales=(0.5 1 2)
at=2026-11-28

cargo build --release --quiet -p evident-cli -p evident-bench
root=$(pwd)
bin=$root/target/release/evident
gen=$root/target/release/evident-gen-evidence
work=$root/target/bench
mkdir -p "$work"

# Runs a command under GNU time and sets wall, cpu and rss (KiB). Exit
# statuses listed in $1 are accepted; any other stops the benchmark with the
# command's error output. Runs in this shell (no subshell), so that exit
# stops the script.
timed() {
  local ok=$1 log=$2
  shift 2
  local rc=0
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >"$log" 2>"$log.err" || rc=$?
  if [[ " $ok " != *" $rc "* ]]; then
    echo "FAILED (exit $rc): $*" >&2
    tail -n 20 "$log.err" >&2
    exit 2
  fi
  local user sys
  read -r wall user sys rss < <(tail -n 1 "$work/time.txt")
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
}

# The fastest of $runs runs: sets best_wall, best_cpu, best_rss.
best_of() {
  best_wall=""
  for _ in $(seq 1 "$runs"); do
    timed "$@"
    if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
      best_wall=$wall best_cpu=$cpu best_rss=$rss
    fi
  done
}

# The ledger index of the latest evidence item of a source (item lines
# start with the index and the collection time; the last line counts them).
latest() {
  "$bin" evidence list --dir "$1" --source "$2" | awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9-]+T/ { i = $1 } END { print i }'
}

rows=()
notes=()
for s in "${scales[@]}"; do
  dir=$work/evaluate-$s
  if [ ! -f "$dir/.generated" ]; then
    rm -rf "$dir"
    timed 0 "$work/gen.log" "$gen" "$dir" "$s"
    echo "$wall" >"$dir/.generated"
  fi
  gwall=$(cat "$dir/.generated")

  # A fresh store per benchmark run, so every run collects and evaluates
  # the same ledger.
  rm -rf "$dir/.evident"
  timed 0 "$work/collect.log" "$bin" collect "$dir"
  cwall=$wall crss=$rss

  out=$work/evaluate-$s.out
  mkdir -p "$out"
  files=()
  docs=()
  for source in iam terraform history; do
    index=$(latest "$dir" "$source")
    [ -n "$index" ] || { echo "no evidence collected from $source in $dir" >&2; exit 2; }
    "$bin" evidence show "$index" --blob --dir "$dir" >"$out/$source.blob"
    files+=("$out/$source.blob")
    if "$bin" evidence show "$index" --normalized --dir "$dir" >"$out/$source.json" 2>"$out/$source.err"; then
      docs+=("$out/$source.json")
    else
      # Stored without a normalised document, so no check can read it.
      notes+=("scale $s: **\`$source\` was not normalised** at collection (not recognised, or larger than collect's \`NORMALIZE_LIMIT\`): evaluate has nothing of it to judge, and the json.load baseline leaves it out")
    fi
  done
  # What was collected, counted from the artefacts themselves.
  counts=$(python3 - "${files[@]}" <<'PY'
import json, sys
report, plan, history = sys.argv[1:]
with open(report, "rb") as f:
    users = sum(1 for _ in f) - 1
print(users, len(json.load(open(plan))["resource_changes"]), len(json.load(open(history))["commits"]))
PY
)
  read -r users resources commits <<<"$counts"
  raw=$(du -cb "${files[@]}" | tail -n 1 | cut -f1)
  normalised=0
  if [ ${#docs[@]} -gt 0 ]; then normalised=$(du -cb "${docs[@]}" | tail -n 1 | cut -f1); fi

  best_of "0 1" "$work/evaluate.log" "$bin" evaluate "$dir" --at "$at"
  ewall=$best_wall ecpu=$best_cpu erss=$best_rss
  summary=$(tail -n 1 "$work/evaluate.log")
  best_of 0 "$work/sha.log" openssl dgst -sha256 "${files[@]}"
  hwall=$best_wall
  jwall=0
  if [ ${#docs[@]} -gt 0 ]; then
    best_of 0 "$work/json.log" python3 -c \
      'import json, sys; [json.load(open(p)) for p in sys.argv[1:]]' "${docs[@]}"
    jwall=$best_wall
  fi
  if [ -n "$summary" ]; then notes+=("scale $s: \`evaluate\` said: $summary"); fi

  rows+=("$(awk -v s="$s" -v u="$users" -v r="$resources" -v c="$commits" -v raw="$raw" -v norm="$normalised" \
    -v g="$gwall" -v cw="$cwall" -v crss="$crss" -v ew="$ewall" -v ec="$ecpu" -v er="$erss" \
    -v hw="$hwall" -v jw="$jwall" 'BEGIN {
      ratio = "—"; jload = "—"
      if (jw > 0) { jload = sprintf("%.2f s", jw); ratio = sprintf("%.1f×", ew / jw) }
      printf "| %s | %d / %d / %d | %.0f MB (%.0f MB) | %.1f s | %.1f s, %d MiB | %.2f s | %.2f s | %d MiB | %.2f s | %.2f s | %s | %.1f× | %s |",
        s, u, r, c, raw / 1e6, norm / 1e6, g, cw, crss / 1024, ew, ec, er / 1024, ew / s, hw, jload,
        ew / (hw > 0 ? hw : 0.005), ratio
    }')")
done

echo
echo "| scale | users / resources / commits collected | evidence (normalised) | generate | collect (once) | evaluate wall (best of $runs) | its CPU | its peak RSS | wall ÷ scale | \`openssl dgst -sha256\` of the artefacts | \`json.load\` of the normalised documents | evaluate ÷ sha256 | evaluate ÷ json.load |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
if [ ${#notes[@]} -gt 0 ]; then
  echo
  printf -- '- %s\n' "${notes[@]}"
fi
