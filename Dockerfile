FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 REGISTRY_INSTANCE_PATH=/var/lib/registry
WORKDIR /app
COPY pyproject.toml README.md ./
COPY registry ./registry
COPY catalog_schema ./catalog_schema
COPY search ./search
COPY importers ./importers
RUN pip install --no-cache-dir . gunicorn && useradd --system --home /app registry \
    && mkdir -p /var/lib/registry && chown registry /var/lib/registry
USER registry
EXPOSE 8000
CMD ["sh", "-c", "registry init && gunicorn --bind 0.0.0.0:8000 --workers ${GUNICORN_WORKERS:-3} --threads 4 --timeout 120 'registry.app:create_app()'"]
