# ClinicFlow image: one image for the web (ASGI) and worker (RQ) services of
# docker-compose.yml. Settings come from the environment (see .env.example).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so this layer is rebuilt only when pyproject.toml changes.
# pyproject.toml has `[tool.setuptools] packages = []`: `pip install .` installs
# the dependencies and nothing of the project itself (the code runs from /app).
# README.md is copied because pyproject.toml names it as the readme.
COPY pyproject.toml README.md ./
RUN pip install . \
    && rm -rf build ./*.egg-info

# The code belongs to root and is read-only for the app user; only var/
# (generated secret key, collected static files) is writable.
RUN groupadd --system --gid 1000 clinicflow \
    && useradd --system --uid 1000 --gid clinicflow --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin clinicflow
COPY . .
RUN mkdir -p /app/var && chown clinicflow:clinicflow /app/var

USER clinicflow

EXPOSE 8000

# docker-compose.yml overrides this (migrate + collectstatic first; the worker
# runs rqworker instead).
CMD ["uvicorn", "clinicflow.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
