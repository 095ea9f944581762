"""gunicorn's settings for the service: the Procfile's web process runs
`gunicorn -c gunicorn.conf.py "eoi:create_app()"`. Everything a deployment changes comes from
the same EOI_* environment as the rest of the service (README, "Deployment")."""

import os

# Where it listens: loopback unless told, for the reverse proxy on the same machine.
bind = [os.environ.get("EOI_BIND") or "127.0.0.1:5000"]

# Processes of threads: a thread waiting on PostgreSQL, S3 or a mail server lets the
# others run. 2 x cores + 1 as gunicorn advises, at most 4 unless set: each worker holds the
# whole service (WeasyPrint, scipy) in memory and up to `threads` database connections.
_cores = len(os.sched_getaffinity(0))
workers = int(os.environ.get("EOI_WEB_WORKERS") or min(2 * _cores + 1, 4))
worker_class = "gthread"
threads = 4

# Stopping: requests in flight get 4 seconds to finish, as honcho kills whatever is left
# after 5 (and systemd's or a container's stop allows at least that).
graceful_timeout = 4
# A worker that stops answering its master's heartbeat for this long (stuck, not merely
# busy: with threads a long request does not count) is killed and replaced. The largest PDF
# is rendered well within it.
timeout = 30
# Workers are replaced after about this many requests, spread out by the jitter so they do
# not all restart at once: whatever memory a worker gathers over days is given back.
max_requests = 2000
max_requests_jitter = 200

# One line per request to stdout, where honcho and the process manager collect it.
accesslog = "-"

# No control socket: it is one fixed path per user, which two servers on one machine would
# fight over.
control_socket_disable = True

# X-Forwarded-Proto is believed only when the service is told a proxy sets it
# (EOI_PROXY_HOPS, which the app itself reads for X-Forwarded-For); the proxy is then the
# only way in. FORWARDED_ALLOW_IPS, gunicorn's own setting, narrows it to its addresses.
if (os.environ.get("EOI_PROXY_HOPS") or "0") != "0":
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "*"
else:
    forwarded_allow_ips = ""
