# One image for web, worker and migrations; docker-compose.yml picks the command.
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY live ./live
COPY workers ./workers
COPY overlays ./overlays
# The versions the suite passed with (docs/operations.md, "Reproducible deployments").
RUN pip install -c constraints.txt . && useradd --system --home /app sieulive
USER sieulive
EXPOSE 8000
CMD ["sieulive", "serve", "--host", "0.0.0.0", "--port", "8000"]
