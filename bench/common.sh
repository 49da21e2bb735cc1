# Sourced by the bench/ scripts: paths, the aiscope jar, the benchmark programs, and
# small helpers for statistics. Nothing here writes outside $tmp and target/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH=$JAVA_HOME/bin:$PATH

[ "$(id -u)" = 0 ] || { echo "${0##*/}: run as root (aiscope and bpftrace load BPF programs)" >&2; exit 1; }
for tool in jq bpftrace gcc; do
  command -v $tool >/dev/null || { echo "${0##*/}: $tool not found" >&2; exit 1; }
done

# AISCOPE_JAR: the jar to measure (default target/aiscope.jar, built if absent).
jar=${AISCOPE_JAR:-$root/target/aiscope.jar}
if [ ! -f "$jar" ]; then
  echo "${0##*/}: building $jar" >&2
  (cd "$root" && mvn -o -q package -DskipTests >&2)
fi
# The JVM options of the ./aiscope launcher. An array, not a function, so that
# `"${aiscope[@]}" ... &` leaves java's own pid in $!.
aiscope=(java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmn32m -Xshare:auto -jar "$jar")

bin=$("$root/bench/build")
loop=$bin/cuda-loop
compute=$bin/compute-loop
# cuda-loop's private libcudart (see bench/build). Putting its directory on aiscope's
# LD_LIBRARY_PATH makes aiscope probe it before the command starts, as it does for
# libraries in the standard directories.
cudart=$bin/lib/libcudart.so.13

tmp=$(mktemp -d /tmp/aiscope-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

# stats V...: "median (min–max)" of the numbers given, with one decimal.
stats() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {
    m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
    printf "%.1f (%.1f–%.1f)", m, v[1], v[NR] }'
}

# median V...: the median alone.
median() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END { printf "%.1f", NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'
}

machine() {
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
}
