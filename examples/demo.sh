#!/usr/bin/env bash
# A small job for `npm run demo`: a few lines over a few seconds, on both streams.
echo "cc-executor demo: running in $(pwd) as pid $$"
for step in 1 2 3 4 5; do
  echo "step $step of 5: $(date +%T)"
  sleep 0.4
done
echo "a line on stderr" >&2
printf 'unicode survives chunking: héllo wörld ✓ 🚀\n'
echo "done"
