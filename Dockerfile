# One image for the server, the worker and the migrations (compose.yaml builds it once).
# Dependencies come from requirements.lock (pinned, with hashes: pip-compile --generate-hashes),
# then the project itself without resolving anything again.
FROM python:3.11.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md alembic.ini ./
COPY server server
COPY schema schema
COPY dossiers dossiers
COPY auth auth
COPY tenants tenants
COPY mail mail
COPY migrations migrations
RUN pip install --no-deps . && pip check \
    && useradd --system --home /data guichet && mkdir -p /data && chown guichet /data
USER guichet
WORKDIR /data
ENV GUICHET_DATA_DIR=/data
EXPOSE 8000
CMD ["guichet", "serve", "--host", "0.0.0.0", "--port", "8000"]
