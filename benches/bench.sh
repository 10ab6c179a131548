#!/usr/bin/env bash
# Throughput and memory of govtext against the peers in ../shared/bench, in one sitting.
#
#   benches/bench.sh [DOCS] [SIZE_MB] [RUNS]      defaults: 20000 200 3
#
# Generates the deterministic corpus with ../shared/bench/make_corpus.py (kept under
# target/bench/), builds govtext in release mode, then runs measure.py (median wall time,
# MB/s, docs/s, peak RSS of the process tree) on govtext, the Python peer and the floor
# (limit_copy.py), and prints govtext's ratio to each. Python packages for the peers go into
# target/bench/.venv. A last govtext run prints its per-stage breakdown (CPU time summed over
# threads, and each stage's share): the biggest share is the next thing to make faster.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS=${1:-20000}
MB=${2:-200}
RUNS=${3:-3}
B=../shared/bench
[ -d "$B" ] || { echo "bench: ../shared/bench is absent; it holds the corpus generator and the peers" >&2; exit 2; }
W=target/bench
mkdir -p "$W"
if [ ! -x "$W/.venv/bin/python" ]; then python3 -m venv "$W/.venv"; fi
"$W/.venv/bin/python" -c 'import pyarrow, opencc; opencc.__version__' 2>/dev/null \
  || "$W/.venv/bin/pip" install --quiet pyarrow opencc
PY="$W/.venv/bin/python"
C="$W/corpus-$DOCS-${MB}mb-seed1"
[ -d "$C" ] || "$PY" "$B/make_corpus.py" "$C" --docs "$DOCS" --size-mb "$MB" --seed 1
cargo build --release --quiet
GT="$(cargo metadata --format-version 1 --no-deps | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/govtext"
rm -rf "$W/out"; mkdir -p "$W/out"
run() { "$PY" "$B/measure.py" --name "$1" --input "$C" --out "$W/out/$1" --runs "$RUNS" -- "${@:2}" | tee -a "$W/results.txt"; }
: > "$W/results.txt"
# --full-refresh: measure.py keeps the output between its runs, and without it every run after
# the first would be an incremental rerun that finds all inputs unchanged
run govtext "$GT" run "$C" -o "$W/out/govtext" --quiet --full-refresh
run peer_python "$PY" "$B/peer_python.py" "$C" "$W/out/peer_python" --workers 2
run limit_copy "$PY" "$B/limit_copy.py" "$C" "$W/out/limit_copy"
# for reference, not compared: a rerun over the dataset just written, nothing changed
"$PY" "$B/measure.py" --name govtext_unchanged_rerun --input "$C" --out "$W/out/govtext" --runs "$RUNS" \
  -- "$GT" run "$C" -o "$W/out/govtext" --quiet | tee -a "$W/results.txt"
echo "govtext per-stage breakdown (one more run):"
# stage times are each thread's CPU time, summed; the shell's `time` gives the run's CPU time
# (user + sys), which they should add up to
TIMEFORMAT='cpu %U %S'
{ time "$GT" run "$C" -o "$W/out/govtext" --full-refresh 2>&1 | grep -E "CPU time by stage|rows:" \
  | sed 's/^ */  /'; } 2>&1 | tee "$W/stages.txt"
"$PY" - "$W/results.txt" "$W/stages.txt" "$(nproc)" "$W/out/govtext/_manifest.json" <<'PYEOF'
import json, re, sys
rates, size = {}, None
for line in open(sys.argv[1]):
    m = re.match(r"(\w+): ([\d.]+) MB/s.*input ([\d.]+) MB", line)
    if m:
        rates[m.group(1)] = float(m.group(2))
        size = float(m.group(3))
g = rates.get("govtext")
for peer in ("peer_python", "limit_copy"):
    if g and rates.get(peer):
        print(f"govtext / {peer}: {g / rates[peer]:.2f}x")
# the issue's bar in this sitting's figures, as CPU time: what every stage together may cost
peer, floor = rates.get("peer_python"), rates.get("limit_copy")
text = open(sys.argv[2]).read()
stages = dict((k, float(v)) for k, v in re.findall(r"(\w+) ([\d.]+)s", text))
cpu = re.search(r"cpu ([\d.]+) ([\d.]+)", text)
if peer and floor and size and stages and cpu:
    # the throughput issue's bar: twice the peer and a tenth of the floor
    bar = max(2 * peer, floor / 10)
    cores = int(sys.argv[3])
    print(f"the bar: {bar:.1f} MB/s (2x the peer {2 * peer:.1f}, a tenth of the floor {floor / 10:.1f}): "
          f"{size / bar:.1f} s wall on {cores} cores, at most {size / bar * cores:.1f} CPU-s for everything; "
          f"govtext's run took {float(cpu.group(1)) + float(cpu.group(2)):.1f} CPU-s; the largest "
          "stages' shares: " + ", ".join(f"{k} {100 * v / sum(stages.values()):.0f} %"
                                         for k, v in sorted(stages.items(), key=lambda x: -x[1])[:3]))
if size and stages:
    print("CPU-s per MB by stage: " + ", ".join(
        f"{k} {v / size:.3f}" for k, v in sorted(stages.items(), key=lambda x: -x[1]) if v / size >= 0.0005))
# the files of the dataset: one per table and partition is the aim (a run that mixes every
# partition throughout its inputs, or a file past 512 MB, gives more)
files = json.load(open(sys.argv[4]))["files"]
pairs = {(f["table"], f["path"].rsplit("/", 1)[0]) for f in files}
print(f"files: {len(files)} for {len(pairs)} table x partition pairs (and table roots)")
PYEOF
