# syntax=docker/dockerfile:1
# Yardstick application image: web (gunicorn), Celery worker and beat all run
# from it; docker-compose.yml chooses the command.
FROM python:3.11-slim-bookworm

ARG UV_VERSION=0.13.9

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint's runtime libraries (harfbuzz-subset keeps embedded fonts small),
# a font for the PDF reports and GNU gettext to compile the interface translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

RUN pip install "uv==${UV_VERSION}"

WORKDIR /app

# Dependencies first, so that code changes do not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
RUN uv sync --frozen --no-dev

# The interface translations (locale/*/LC_MESSAGES/django.po) compiled to .mo.
RUN python manage.py compilemessages --ignore .venv --verbosity 0

# Static files are collected at build time with the production storage
# (hashed, compressed names). The key below exists only for this build step;
# the running containers must be given their own SECRET_KEY.
RUN YARDSTICK_PRODUCTION=1 \
    SECRET_KEY=build-only-collectstatic-key-never-used-to-sign-anything-0123456789 \
    python manage.py collectstatic --noinput

# Run as an unprivileged user; uploads and generated reports go to /data/media
# (a volume in docker-compose.yml, shared by web and worker).
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home yardstick \
    && mkdir -p /data/media \
    && chown yardstick:yardstick /data/media
ENV MEDIA_ROOT=/data/media
USER yardstick

EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
