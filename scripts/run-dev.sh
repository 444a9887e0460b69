#!/usr/bin/env bash
# `make run`'s last step: Django's development server and one task-queue worker
# (manage.py run_huey), both on this machine only; one Ctrl-C (or a TERM) stops both, and when
# either stops the other is stopped too.
#   PY=.venv/bin/python PORT=8000 scripts/run-dev.sh
set -u
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}

# Job control: each child runs in its own process group, so the terminal's Ctrl-C reaches this
# script only, and the script hands each whole group (runserver's reloader and its server) an
# interrupt, which both Django and Huey take as "stop cleanly" (Huey finishes its running tasks).
set -m

"$PY" manage.py runserver "127.0.0.1:$PORT" &
web=$!
"$PY" manage.py run_huey &
worker=$!
echo "Serving http://127.0.0.1:$PORT/ (pid $web) with a task worker (pid $worker); Ctrl-C stops both."

stopping=0
stop() {
  [ "$stopping" = 1 ] && return
  stopping=1
  trap '' INT TERM
  kill -INT -- "-$web" "-$worker" 2>/dev/null
  # A worker still finishing a task after 20 s is stopped hard (counted in seconds, not in
  # rounds of the loop, which a busy machine slows down).
  local deadline=$((SECONDS + 20))
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 -- "-$web" 2>/dev/null || kill -0 -- "-$worker" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$web" "-$worker" 2>/dev/null
  wait 2>/dev/null
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

wait -n "$web" "$worker"
status=$?
stop
exit "$status"
