"""gunicorn's settings for the app: ``gunicorn -c deploy/gunicorn.conf.py`` from the project
directory (deploy/systemd/clinic-web.service runs exactly that).

The Django settings still come from the environment or ``.env`` (see ``.env.example``); the few
values below are gunicorn's own, each overridable from the environment too.
"""

import os

wsgi_app = "config.wsgi:application"

# Behind a reverse proxy on the same machine: listen on loopback only. GUNICORN_BIND takes a
# comma-separated list (e.g. "0.0.0.0:8000" behind a load balancer on another machine, or
# "unix:/run/clinic/web.sock").
bind = [
    address.strip()
    for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]

# Sync workers, one per core (what `make bench` measures on 2 cores): a request holds its worker
# until it answers, and PDFs render in their own processes (PDF_WORKERS) meanwhile.
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, os.cpu_count() or 1)))

# A request may take this long before its worker is replaced: above PDF_TIMEOUT_SECONDS (30), so
# a slow PDF ends with the app's own message, not a dropped connection.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
# On a stop or restart, requests in flight get this long to finish.
graceful_timeout = 30
keepalive = 5

# Replace each worker after about a thousand requests, so a slow leak cannot grow for ever.
max_requests = 1000
max_requests_jitter = 100

# Which addresses may set X-Forwarded-Proto (the reverse proxy); with DJANGO_BEHIND_TLS_PROXY=1
# Django then trusts it. Loopback by default: a proxy on this machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout/stderr: systemd's journal keeps them (journalctl -u clinic-web).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "clinic-web"
# Workers' heartbeat files in memory, not on a disk that may stall (gunicorn's advice).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
