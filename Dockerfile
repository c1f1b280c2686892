# Urikomi API image: slim Python, non-root, the shipped model baked in.
# Build: docker build -t urikomi .   Run: docker run -p 8000:8000 urikomi

FROM python:3.11-slim AS build
# a C compiler for the scoring kernel (app/engine/_kernel.c); only this stage has it
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
RUN python -m venv /opt/urikomi \
 && /opt/urikomi/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /srv/urikomi urikomi
COPY --from=build /opt/urikomi /opt/urikomi
COPY models/urikomi /srv/urikomi/models/urikomi
ENV PATH=/opt/urikomi/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    URIKOMI_MODEL_PATH=/srv/urikomi/models/urikomi
USER urikomi
WORKDIR /srv/urikomi
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
ENTRYPOINT ["urikomi", "serve", "--host", "0.0.0.0", "--port", "8000"]
