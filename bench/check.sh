#!/usr/bin/env bash
# Whole-process benchmark of `evident check` on generated ISMS repositories
# of 0.1x, 1x and 10x the reference size (1x = 10,000 controls, 50,000 risks,
# 500 owners). Prints a Markdown table: YAML size, best wall time of N runs,
# its CPU time, and peak RSS. Usage: bench/check.sh [RUNS] [FACTORS...]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
[ $# -gt 0 ] && factors=("$@") || factors=(0.1 1 10)

cargo build --release --quiet -p evident-cli -p evident-bench
bin=target/release/evident
work=target/bench
mkdir -p "$work"

echo "| size | YAML | wall (best of $runs) | CPU (user+sys) | peak RSS | findings |"
echo "|---|---|---|---|---|---|"
for f in "${factors[@]}"; do
  dir="$work/isms-$f"
  if [ ! -f "$dir/evident.yaml" ]; then
    rm -rf "$dir"
    target/release/evident-gen "$dir" "$f" >/dev/null
  fi
  size=$(du -sb "$dir" | cut -f1)
  best=""
  for _ in $(seq 1 "$runs"); do
    # GNU time: elapsed, user, sys, max RSS (KiB). Exit 1 (findings) is expected.
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$bin" check "$dir" --at 2026-11-28 --format json >"$work/out.json" || [ $? -eq 1 ]
    read -r wall user sys rss < <(tail -n 1 "$work/time.txt")
    if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then
      best=$wall; cpu=$(awk "BEGIN{print $user+$sys}"); peak=$rss
    fi
  done
  findings=$(python3 -c "import json,sys;d=json.load(open('$work/out.json'));print(len(d['findings']))")
  controls=$(python3 -c "import json;d=json.load(open('$work/out.json'));c=d['counts'];print(f\"{c['controls']:,} controls, {c['risks']:,} risks, {c['owners']:,} owners\")")
  printf '| %s | %s MB | %s s | %s s | %s MiB | %s |\n' "$controls" "$(awk "BEGIN{printf \"%.0f\", $size/1e6}")" "$best" "$cpu" "$((peak / 1024))" "$findings"
done
