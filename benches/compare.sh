#!/usr/bin/env bash
# Two govtext binaries on one corpus, in one sitting: a full run of each, RUNS times, in ABBA
# order (A B, then B A, …: on these machines whichever runs second in a pair reads a percent or
# two faster, so a fixed order flatters one side), each into an emptied folder. Prints the
# medians of CPU time (user + system), wall time and peak RSS, and whether the two wrote the
# same Parquet files (the sha256 of every file, from the manifests): a refactor shows with it
# that it changed nothing, an optimisation what it saved. Exits 3 when the files differ.
#
# usage: benches/compare.sh OLD_BIN NEW_BIN [RUNS] [CORPUS]
#   RUNS    runs of each (default 6; even, for as many A-first pairs as B-first ones)
#   CORPUS  default target/bench/corpus-20000-200mb-seed1 (benches/bench.sh makes it)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
old=${1:?usage: benches/compare.sh OLD_BIN NEW_BIN [RUNS] [CORPUS]}
new=${2:?usage: benches/compare.sh OLD_BIN NEW_BIN [RUNS] [CORPUS]}
runs=${3:-6}
corpus=${4:-$here/target/bench/corpus-20000-200mb-seed1}
for b in "$old" "$new"; do
  [ -x "$b" ] || { echo "compare.sh: $b is not an executable" >&2; exit 2; }
done
[ -d "$corpus" ] || { echo "compare.sh: no corpus at $corpus (benches/bench.sh makes it)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "compare.sh: needs GNU time at /usr/bin/time" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/govtext-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT
times="$work/times.tsv"
for i in $(seq "$runs"); do
  if [ $((i % 2)) -eq 1 ]; then order="old new"; else order="new old"; fi
  for side in $order; do
    if [ "$side" = old ]; then bin=$old; else bin=$new; fi
    out="$work/out-$side"
    rm -rf "$out"
    /usr/bin/time -f "$side %U %S %e %M" -a -o "$times" \
      "$bin" run "$corpus" -o "$out" --quiet --full-refresh >/dev/null 2>"$work/err-$side" \
      || { echo "compare.sh: $bin failed:" >&2; cat "$work/err-$side" >&2; exit 1; }
  done
  printf '.' >&2
done
echo >&2

python3 - "$times" "$work/out-old/_manifest.json" "$work/out-new/_manifest.json" "$old" "$new" <<'PY'
import json, statistics, sys
times, man_old, man_new, old, new = sys.argv[1:]
runs = {"old": [], "new": []}
for line in open(times):
    side, user, sys_, wall, rss_kb = line.split()
    runs[side].append((float(user) + float(sys_), float(sys_), float(wall), int(rss_kb) / 1024))
med = {s: [statistics.median(r[k] for r in v) for k in range(4)] for s, v in runs.items()}
for side, name in (("old", old), ("new", new)):
    cpu, sys_, wall, rss = med[side]
    print(f"{side}  cpu {cpu:6.2f} s (sys {sys_:5.2f})  wall {wall:6.2f} s  peak RSS {rss:4.0f} MB  ({len(runs[side])} runs)  {name}")
(c0, _, w0, r0), (c1, _, w1, r1) = med["old"], med["new"]
print(f"new/old  cpu {c1 / c0 - 1:+.1%}  wall {w1 / w0 - 1:+.1%}  peak RSS {r1 - r0:+.0f} MB")
files = [{f["path"]: f["sha256"] for f in json.load(open(m))["files"]} for m in (man_old, man_new)]
a, b = files
differ = sorted(p for p in a.keys() | b.keys() if a.get(p) != b.get(p))
if differ:
    print(f"files: {len(differ)} of {len(a.keys() | b.keys())} differ, e.g. {', '.join(differ[:3])}")
    sys.exit(3)
else:
    print(f"files: the same {len(a)} Parquet files, byte for byte")
PY
