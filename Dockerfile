# ILS Coach as a container image: Debian bookworm with its Python 3.11, the app, and the search index and tuned
# model built into the image, run as a user without privileges. See README, "Running it in a container".
#
#   make container-wheels                      # build/container/wheels: every wheel the requirements need
#   podman build --format docker -t ils-coach .   (or docker build -t ils-coach .)
#   podman run -p 127.0.0.1:8501:8501 ils-coach
#
# The wheels come from the build context (build/container/wheels, made on the host with `pip wheel`), never from
# the network: requirements.txt pins torch to the CPU build, and an index lookup inside the build could fetch a
# CUDA build of several GB instead. BASE is any Debian bookworm image; `make container-test` makes one locally
# with debootstrap for machines that cannot pull from a registry.
ARG BASE=docker.io/library/debian:bookworm-slim

FROM ${BASE} AS runtime
ENV DEBIAN_FRONTEND=noninteractive
# Python 3.11 from Debian, HAProxy for `python -m serve`, DejaVu Sans for the coaching sheet's PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3.11 python3.11-venv haproxy fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && groupadd --system --gid 10001 coach \
    && useradd --system --uid 10001 --gid coach --create-home --home-dir /home/coach --shell /usr/sbin/nologin coach
LABEL org.opencontainers.image.title="ILS Coach"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    ORT_DISABLE_TELEMETRY=1 \
    ILS_COACH_CACHE_DIR=/opt/ils-coach/cache \
    ILS_COACH_INDEX_DIR=/opt/ils-coach/index
WORKDIR /app

FROM runtime AS build
COPY requirements.txt ./
COPY build/container/wheels/ /tmp/wheels/
RUN python3.11 -m venv /opt/venv \
    && pip install --no-cache-dir --no-index --find-links /tmp/wheels -r requirements.txt \
    && rm -rf /tmp/wheels
COPY .streamlit/ .streamlit/
COPY app.py cli.py coach.py errors.py settings.py pyproject.toml ./
COPY coaching/ coaching/
COPY conversation/ conversation/
COPY corpus/ corpus/
COPY explore/ explore/
COPY index/ index/
COPY retrieval/ retrieval/
COPY safety/ safety/
COPY serve/ serve/
COPY ui/ ui/
# build/container/seed holds a tuned model from the host's cache when `make container-test SEED=1` put one there
# (empty otherwise): index build reuses it if its key matches these exemplars and recipe, and tunes one if not.
COPY build/container/seed/ /opt/ils-coach/cache/
RUN python -m compileall -q app.py cli.py coach.py errors.py settings.py coaching conversation corpus explore \
        index retrieval safety serve ui \
    && python -m index build \
    && python -m retrieval search --top 1 "my director and I keep clashing over the budget" >/dev/null \
    && rm -rf /root/.cache \
    && chmod -R a+rX,go-w /app /opt/venv /opt/ils-coach

FROM runtime
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/ils-coach /opt/ils-coach
COPY --from=build /app /app
USER coach
EXPOSE 8501
# Through the proxy when `python -m serve` runs (the default), from the worker itself when one Streamlit process runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"]
# Workers (ILS_COACH_WORKERS, default the cores the container may use) behind HAProxy on port 8501.
CMD ["python", "-m", "serve", "--address", "0.0.0.0", "--port", "8501"]
