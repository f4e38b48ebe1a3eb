"""gunicorn settings of the baseline: the original `gunicorn cloud_inference_server:app --workers 2`.

Run from anywhere: /usr/bin/python3 -m gunicorn -c bench/baseline/gunicorn.conf.py
HELEN_BASELINE_BIND (default 127.0.0.1:5000) and HELEN_BASELINE_WORKERS (default 2) override.
"""
import os

# The app module sits beside this file; gunicorn loads the config with __file__ set.
chdir = os.path.dirname(os.path.abspath(__file__))
wsgi_app = "app:app"
bind = os.environ.get("HELEN_BASELINE_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("HELEN_BASELINE_WORKERS", "2"))
# The original's worker class (gunicorn's default): one request at a time per worker process.
worker_class = "sync"
# Off: each worker imports app.py after the fork and loads its own model (see app.py _load).
preload_app = False
accesslog = None
loglevel = os.environ.get("HELEN_BASELINE_LOG_LEVEL", "warning")
