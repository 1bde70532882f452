#!/usr/bin/env bash
# Whole-process benchmark of the audit pack: build and verify.
#
#   bench/pack.sh [N]        (default: 100000 evidence items)
#
# Generates (once per N) an SQLite store of N evidence items of realistic
# size (JSON exports, 90% 1–16 KiB, 10% 16 KiB–1 MiB, half with a
# normalised document; seeded, see evident-gen-store), then, in the same
# run:
#   - builds the pack of the period holding all of them (sample 25 per
#     control, seed 7) and verifies it, each timed with peak RSS (GNU time);
#   - hashes the same blob bytes with `openssl dgst -sha256`: over the
#     store's blob files (one process per 2000 files, as `ingest.sh` does),
#     and over the pack as one stream (pure hashing throughput of the same
#     bytes, the stricter baseline).
# Page cache is dropped before each timed step when the script may (root);
# otherwise every step runs warm.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
cargo build --release --quiet -p evident-bench --bin evident-gen-store --bin evident-pack-bench
bin=$(pwd)/target/release
work=$(pwd)/target/bench/pack-$n
if [ ! -f "$work/store.done" ]; then
    rm -rf "$work"
    mkdir -p "$work"
    "$bin/evident-gen-store" "$work/store" "$n" 7
    touch "$work/store.done"
fi
rm -f "$work/pack.tar"

drop() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
blobs() { find "$work/store/blobs" -path "$work/store/blobs/incoming" -prune -o -type f -print0; }

bytes=$(blobs | du -cb --files0-from=- | tail -n 1 | cut -f1)
files=$(blobs | tr -cd '\0' | wc -c)

drop
t0=$(now)
/usr/bin/time -f "%M" -o "$work/build.rss" "$bin/evident-pack-bench" build "$work/store" "$work/pack.tar" 25 7 >"$work/build.log"
build=$(elapsed "$t0" "$(now)")
brss=$(tail -n 1 "$work/build.rss")
packbytes=$(stat -c %s "$work/pack.tar")

drop
t0=$(now)
blobs | xargs -0 -n 2000 openssl dgst -sha256 >/dev/null
base_files=$(elapsed "$t0" "$(now)")

drop
t0=$(now)
openssl dgst -sha256 "$work/pack.tar" >/dev/null
base_stream=$(elapsed "$t0" "$(now)")

drop
t0=$(now)
/usr/bin/time -f "%M" -o "$work/verify.rss" "$bin/evident-pack-bench" verify "$work/pack.tar" >"$work/verify.log"
verify=$(elapsed "$t0" "$(now)")
vrss=$(tail -n 1 "$work/verify.rss")

cat "$work/build.log" "$work/verify.log"
awk -v n="$n" -v b="$bytes" -v files="$files" -v pb="$packbytes" -v build="$build" -v brss="$brss" \
    -v verify="$verify" -v vrss="$vrss" -v bf="$base_files" -v bs="$base_stream" 'BEGIN {
  printf "| step (%d items, %d blobs, %.0f MiB of blobs, pack %.0f MiB) | evident | baseline, same run, same bytes | ratio |\n|---|---|---|---|\n", n, files, b / 1048576, pb / 1048576
  printf "| build | %.2f s (%.0f MB/s), peak RSS %d MiB | — | — |\n", build, pb / build / 1e6, brss / 1024
  printf "| verify | %.2f s (%.0f MB/s of blobs), peak RSS %d MiB | `openssl dgst -sha256` over the blob files: %.2f s | %.2f× openssl throughput |\n", verify, b / verify / 1e6, vrss / 1024, bf, bf / verify
  printf "| verify | (same run) | `openssl dgst -sha256` over the pack, one stream: %.2f s | %.2f× openssl throughput (blob bytes / pack bytes: %.3f) |\n", bs, (bs * b / pb) / verify, b / pb
}'
