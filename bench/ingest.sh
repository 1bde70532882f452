#!/usr/bin/env bash
# Whole-process benchmark of evidence ingestion and verification.
#
#   bench/ingest.sh [MIB] [SMALL_FILES]     (defaults: 1024 MiB, 20000 small files)
#
# Generates MIB MiB of evidence: SMALL_FILES files of 1–16 KiB and a few
# large files making up the rest (random bytes: nothing deduplicates).
# Then, in the same run and on the same files, times:
#   - `evident collect` through the `file` collector (+ sync), against the
#     physical baseline `openssl dgst -sha256` + `cp -r` + `sync`;
#   - `evident verify` of the store, against `openssl dgst -sha256` over the
#     same blob files.
# Peak RSS comes from GNU time. Page cache is dropped before each timed step
# when the script may (root); otherwise both sides run warm.
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-1024}
small=${2:-20000}
cargo build --release --quiet -p evident-cli
bin=$(pwd)/target/release/evident
work=$(pwd)/target/bench/ingest-$mib-$small
rm -rf "$work"
mkdir -p "$work/isms/evidence/small" "$work/isms/evidence/large"

python3 - "$work/isms/evidence" "$mib" "$small" <<'PY'
import os, random, sys
root, mib, small = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(7)
total = 0
for i in range(small):
    n = rng.randint(1, 16) * 1024
    with open(f"{root}/small/{i:06}.bin", "wb") as f:
        f.write(os.urandom(n))
    total += n
rest = max(0, mib * 1024 * 1024 - total)
large = rest // (256 << 20) + 1 if rest else 0
for i in range(large):
    n = rest // large
    with open(f"{root}/large/{i:02}.bin", "wb") as f:
        while n > 0:
            chunk = min(n, 8 << 20)
            f.write(os.urandom(chunk))
            n -= chunk
PY
printf 'organisation: Bench Ltd\nscope: Benchmark\n' >"$work/isms/evident.yaml"
printf 'sources:\n  - name: exports\n    collector: file\n    parameters: { paths: ["evidence/**/*.bin"] }\n' >"$work/isms/sources.yaml"
bytes=$(du -sb "$work/isms/evidence" | cut -f1)
files=$(find "$work/isms/evidence" -type f | wc -l)

drop() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

drop
t0=$(now)
find "$work/isms/evidence" -type f -print0 | xargs -0 -n 2000 openssl dgst -sha256 >/dev/null
cp -r "$work/isms/evidence" "$work/copy"
sync
base=$(elapsed "$t0" "$(now)")
rm -rf "$work/copy"

drop
t0=$(now)
(cd "$work/isms" && /usr/bin/time -f "%M" -o "$work/collect.rss" "$bin" collect . >/dev/null 2>"$work/collect.log")
sync
ours=$(elapsed "$t0" "$(now)")
rss=$(tail -n 1 "$work/collect.rss")

drop
t0=$(now)
find "$work/isms/.evident/blobs" -type f -print0 | xargs -0 -n 2000 openssl dgst -sha256 >/dev/null
vbase=$(elapsed "$t0" "$(now)")

drop
t0=$(now)
(cd "$work/isms" && /usr/bin/time -f "%M" -o "$work/verify.rss" "$bin" verify >/dev/null)
vours=$(elapsed "$t0" "$(now)")
vrss=$(tail -n 1 "$work/verify.rss")

awk -v b="$bytes" -v files="$files" -v base="$base" -v ours="$ours" -v rss="$rss" \
    -v vb="$vbase" -v vo="$vours" -v vrss="$vrss" 'BEGIN {
  printf "| step (%.0f MiB, %d files) | evident | baseline, same run, same bytes | ratio |\n|---|---|---|---|\n", b / 1048576, files
  printf "| ingest | `collect` + sync: %.2f s (%.0f MB/s), peak RSS %d MiB | `openssl dgst -sha256` + `cp -r` + `sync`: %.2f s | %.2f× the baseline time |\n", ours, b / ours / 1e6, rss / 1024, base, ours / base
  printf "| verify | `verify`: %.2f s (%.0f MB/s), peak RSS %d MiB | `openssl dgst -sha256` over the blobs: %.2f s | %.2f× openssl throughput |\n", vo, b / vo / 1e6, vrss / 1024, vb, vb / vo
}'
