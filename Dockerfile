# One image for all five Mitra services. Which service a container runs is chosen by its command, e.g.
#   docker run --env-file .env mitra:<version> python -m mitra_registry serve
# (docker-compose.yml sets the command and environment of each service). Building and publishing: docs/release.md.
#
# The packages are installed non-editable into a virtual environment in a build stage; the runtime stage gets only
# that environment, no compiler, no build tools, no source tree, no tests.
#
# Third-party packages are installed at the versions in constraints.txt, the lock the tests ran against, never at
# whatever an index offers on the day of the build. Not with `--require-hashes`: pip's hash-checking mode wants a hash
# for every requirement, and the six local projects (./shared, ./services/*) are directories, which pip cannot hash
# (it refuses them in that mode); constraints.txt carries versions, not hashes. A hashed lock would be a second file
# (every package's wheel hashes) kept beside constraints.txt.

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: install shared + the five services into /opt/venv ------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv

WORKDIR /src
COPY constraints.txt ./
COPY shared/ shared/
COPY services/ services/

# All six local projects in one pip call: the services' dependency "mitra-shared" is then satisfied by ./shared and
# never looked up on a package index. Wheels (asyncpg, uvloop, pydantic-core, ...) are prebuilt, so no compiler.
RUN --mount=type=cache,target=/root/.cache/pip \
    /opt/venv/bin/pip install \
        --constraint constraints.txt \
        ./shared \
        ./services/registry \
        ./services/agreements \
        ./services/notifications \
        ./services/reporting \
        ./services/console \
    && /opt/venv/bin/pip uninstall --yes pip \
    && /opt/venv/bin/python -m compileall -q /opt/venv/lib

# The version the image is tagged with is the version of what it holds.
ARG MITRA_VERSION
RUN test -n "${MITRA_VERSION}" || { echo "build with --build-arg MITRA_VERSION=<version in the pyprojects>" >&2; exit 1; } \
    && installed="$(/opt/venv/bin/python -c 'import importlib.metadata as m; print(m.version("mitra-shared"))')" \
    && { [ "${installed}" = "${MITRA_VERSION}" ] \
         || { echo "MITRA_VERSION=${MITRA_VERSION}, but the packages are ${installed}" >&2; exit 1; }; }

# Fail the build rather than every container's start if a package lacks its SQL files (migrations and queries are
# package data: a non-editable install carries only what `package-data` in its pyproject.toml names).
RUN cd / && /opt/venv/bin/python -c '\
import importlib; \
from mitra_shared import db; \
services = ("registry", "agreements", "notifications", "reporting", "console"); \
[importlib.import_module(f"mitra_{name}.bootstrap") for name in services]; \
sources = [db.SHARED_MIGRATIONS, *(db.MigrationSource(name, f"mitra_{name}") for name in services)]; \
empty = [source.package for source in sources if not source.load()]; \
assert not empty, f"no migrations packaged in {empty}"'

# --- runtime -----------------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ARG MITRA_VERSION
# Where the source of this image is published (the release passes the repository's URL: docs/release.md).
ARG MITRA_SOURCE=""
LABEL org.opencontainers.image.title="Mitra" \
      org.opencontainers.image.description="Mitra services: registry, agreements, notifications, reporting, console" \
      org.opencontainers.image.version="${MITRA_VERSION}" \
      org.opencontainers.image.source="${MITRA_SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0"

ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONFAULTHANDLER=1

RUN groupadd --system --gid 10001 mitra \
    && useradd --system --uid 10001 --gid mitra --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin mitra

COPY --from=build /opt/venv /opt/venv

# An empty working directory; configuration comes from the container's environment only.
WORKDIR /app
USER mitra:mitra

# console, registry, agreements, notifications, reporting (each container listens on its own one, see MITRA_HTTP_PORT)
EXPOSE 8000 8001 8002 8003 8004
