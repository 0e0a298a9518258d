#!/bin/bash
# Per-step figures of the lean transaction path (docs/performance.md, "Lean transaction path, second
# pass"). Set-up, from the repository root:
#   for c in <base> <commit>...; do git worktree add /tmp/txpath/w-$c $c; ln -s $PWD/node_modules /tmp/txpath/w-$c/; done
#   (and copy modules/auth/native/build into each worktree for libsecp256k1)
#   ROOT=$PWD ACCNUM=6 npx node bench/txpath/sign.ts 2000
#   ROOT=$PWD ACCNUM=6 TAG=-warm AMOUNT=2 npx node bench/txpath/sign.ts 2000
#   ROOT=$PWD ACCNUM=6 TAG=-node AMOUNT=3 npx node bench/txpath/sign.ts 2000
#   VARIANTS="w-<base> w-<commit>" bench/txpath/rounds.sh; npx node bench/txpath/analyze.ts
# Longer JIT warm-up (recommended: with only the default set, functions on the CheckTx path are still
# tiered up to TurboFan during the timed pass; see docs/performance.md "CheckTx's first pass"):
#   for a in 4 5 6; do ROOT=$PWD ACCNUM=6 TAG=-warm$a AMOUNT=$a npx node bench/txpath/sign.ts 2000; done
#   WARM=-warm4,-warm5,-warm6 CHUNKS=4 VARIANTS=... bench/txpath/rounds.sh   (env passes through)
# NODEFLAGS="--min-semi-space-size=64": V8 flags for every run (a young generation at its full size
# from the start; see docs/performance.md, "What a cached decoded tx keeps")
# alternated rounds: each variant one process per round, in order; JSON lines to rounds.log
cd "$(dirname "$0")/../.."
for round in $(seq 1 ${ROUNDS:-4}); do
  for v in ${VARIANTS:?set VARIANTS to worktree names under ${BASES:-/tmp/txpath}}; do
    out=$(ACCNUM=6 ROOT=${BASES:-/tmp/txpath}/$v npx node ${NODEFLAGS:-} bench/txpath/stage.ts 2000 2>&1 | tail -1)
    echo "{\"round\":$round,\"variant\":\"$v\",\"time\":\"$(date -u +%H:%M:%S)\",\"load\":\"$(cut -d' ' -f1 /proc/loadavg)\",\"r\":$out}" >> ${LOG:-bench/out/txpath/rounds.log}
  done
done
echo done >> ${LOG:-bench/out/txpath/rounds.log}
