#!/usr/bin/env bash
# Runs every golden pipeline case (see README.md). Usage: run_golden.sh STRATA_BINARY
set -u
strata="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export STRATA_TMPDIR="$work/tmp"
unset STRATA_ADDRESS
failed=0
count=0
# The output files in name order, concatenated; when the output is
# partitioned into directories, each file is preceded by "== its/path".
print_output() {
  local dir="$1"
  if [[ -n "$(find "$dir" -mindepth 1 -type d 2>/dev/null)" ]]; then
    (cd "$dir" && find . -type f | LC_ALL=C sort | while read -r f; do echo "== ${f#./}"; cat "$f"; done)
  else
    find "$dir" -type f 2>/dev/null | LC_ALL=C sort | xargs -r cat
  fi
}
for case_dir in "$here"/*/; do
  name="$(basename "$case_dir")"
  count=$((count + 1))
  cp -rL "$case_dir" "$work/$name"  # -L: a case may link to shared test files
  cd "$work/$name" || exit 1
  output="$("$strata" run pipeline.yaml --no-progress 2>&1)"
  rc=$?
  if [[ -f expected_error.txt ]]; then
    if [[ $rc -eq 0 ]]; then
      echo "FAIL $name: expected an error, the run succeeded"; failed=1
    fi
    while IFS= read -r line; do
      [[ -z "$line" ]] && continue
      if [[ "$output" != *"$line"* ]]; then
        echo "FAIL $name: the output lacks: $line"; echo "$output"; failed=1
      fi
    done < expected_error.txt
  else
    if [[ $rc -ne 0 ]]; then
      echo "FAIL $name: exit code $rc"; echo "$output"; failed=1
    elif ! diff <(print_output out/result) expected.out > "$work/$name.diff"; then
      echo "FAIL $name: output differs (< got, > expected)"; cat "$work/$name.diff"; failed=1
    fi
    if [[ -f expected_quarantine.jsonl ]] && ! diff out/result.quarantine.jsonl expected_quarantine.jsonl; then
      echo "FAIL $name: quarantine differs"; failed=1
    fi
  fi
  [[ $failed -eq 0 ]] && echo "ok   $name"
  cd "$here" || exit 1
done
echo "$count golden case(s)"
exit $failed
