FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY server server
COPY schema schema
COPY dossiers dossiers
COPY auth auth
COPY tenants tenants
COPY mail mail
COPY migrations migrations
RUN pip install --no-cache-dir . && useradd --system --home /data guichet && mkdir -p /data \
    && chown guichet /data
USER guichet
WORKDIR /data
ENV GUICHET_DATA_DIR=/data
EXPOSE 8000
CMD ["guichet", "serve", "--host", "0.0.0.0", "--port", "8000"]
