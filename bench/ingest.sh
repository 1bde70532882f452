#!/usr/bin/env bash
# Whole-process benchmark of evidence ingestion: `evident collect` of 1 GiB
# of evidence files through the `file` collector (a mix of many small files
# and a few large ones), against the physical baseline measured in the same
# run on the same files: `openssl dgst -sha256` (SHA extensions) + `cp` +
# `sync`. Then `evident verify` over the store against `openssl dgst
# -sha256` over the same blob bytes.
# Usage: bench/ingest.sh [MiB] (default 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-1024}
cargo build --release --quiet -p evident-cli
bin=$(pwd)/target/release/evident
work=$(pwd)/target/bench/ingest-$mib
rm -rf "$work" && mkdir -p "$work/isms/evidence/small" "$work/isms/evidence/large" "$work/copy"

# The evidence: 20,000 small files (1–16 KiB, ~170 MiB) and a few large ones
# making up the rest. Random content, so nothing deduplicates.
small=20000
python3 - "$work/isms/evidence" "$mib" "$small" <<'PY'
import os, random, sys
root, mib, small = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(7)
total = 0
for i in range(small):
    n = rng.randint(1, 16) * 1024
    with open(f"{root}/small/{i:05}.json", "wb") as f:
        f.write(os.urandom(n))
    total += n
rest = mib * 1024 * 1024 - total
large = max(1, rest // (256 * 1024 * 1024) + 1)
for i in range(large):
    n = rest // large
    with open(f"{root}/large/{i:02}.bin", "wb") as f:
        for _ in range(n // (8 << 20)):
            f.write(os.urandom(8 << 20))
        f.write(os.urandom(n % (8 << 20)))
PY
cat > "$work/isms/evident.yaml" <<'YAML'
organisation: Bench Ltd
scope: Benchmark
YAML
cat > "$work/isms/sources.yaml" <<'YAML'
sources:
  - name: exports
    collector: file
    parameters: { paths: ["evidence/**/*"] }
YAML
bytes=$(du -sb "$work/isms/evidence" | cut -f1)
sync
echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true

t() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); awk "BEGIN{printf \"%.2f\", $e-$s}"; }

base=$(t bash -c "find '$work/isms/evidence' -type f -print0 | xargs -0 openssl dgst -sha256 >/dev/null && cp -r '$work/isms/evidence' '$work/copy/' && sync")
ours=$( { /usr/bin/time -f "%M" -o "$work/rss.txt" bash -c "cd '$work/isms' && t0=\$(date +%s.%N) && '$bin' collect . >/dev/null && sync && t1=\$(date +%s.%N) && awk \"BEGIN{printf \\\"%.2f\\\", \$t1-\$t0}\""; } )
rss=$(tail -n 1 "$work/rss.txt")
vbase=$(t bash -c "find '$work/isms/.evident/blobs' -type f -print0 | xargs -0 openssl dgst -sha256")
vours=$(t "$bin" verify --dir "$work/isms")
items=$(find "$work/isms/.evident/blobs" -type f | wc -l)

awk -v b="$bytes" -v base="$base" -v ours="$ours" -v rss="$rss" -v vb="$vbase" -v vo="$vours" -v items="$items" 'BEGIN {
  printf "| what | evident | baseline (same run) | ratio |\n|---|---|---|---|\n"
  printf "| collect %.0f MiB (%d files) | %.2f s (%.0f MB/s), peak RSS %d MiB | openssl dgst -sha256 + cp + sync: %.2f s | %.2f× the baseline time |\n", b/1048576, items, ours, b/ours/1e6, rss/1024, base, ours/base
  printf "| verify the store | %.2f s (%.0f MB/s) | openssl dgst -sha256 over the blobs: %.2f s | %.2f× openssl throughput |\n", vo, b/vo/1e6, vb, vb/vo
}'
