# The geo_service API. Build context: the repository root.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY scripts/debian-packages.txt scripts/
RUN apt-get update \
 && grep -v '^#' scripts/debian-packages.txt | awk '$2 != "test" {print $1}' \
  | xargs -r apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md alembic.ini ./
COPY geo_service geo_service
COPY migrations migrations
RUN pip install --no-cache-dir -e . \
 && useradd --system --no-create-home geo
USER geo
EXPOSE 8000
CMD ["geo-service", "serve", "--host", "0.0.0.0", "--port", "8000"]
