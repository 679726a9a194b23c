"""The deployment files keep their promises: compose.yaml, .env.example, docker/.

No Docker engine is needed: compose.yaml is read as YAML and its `${VAR}` references are
resolved the way Compose does, with the values of .env.example; the image's package list
is resolved by apt on an empty package database; docker/entrypoint.sh runs as root in a
private mount namespace; `docker compose config` and `docker-compose config` run where
those clients are installed.
"""

from __future__ import annotations

import configparser
import fnmatch
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from docvault.core.config import load_config
from tests.conftest import REPO

COMPOSE = REPO / "compose.yaml"
ENV_EXAMPLE = REPO / ".env.example"
DOCKERFILE = REPO / "docker" / "Dockerfile"
INSTALL_SCRIPT = "docker/install-system-packages.sh"
DOCVAULT_SERVICES = ("ingest", "worker", "notifier", "dashboard", "api")
VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def env_example() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
             if line and not line.startswith("#"))
    return {key: value for key, value in pairs}


def interpolate(value: object, env: dict[str, str]) -> object:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR:?error}` and `$$`, on every string."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def resolve(match: re.Match) -> str:
        name, kind, arg = match.groups()
        if env.get(name):
            return env[name]
        if kind in (":-", "-"):
            return arg
        raise AssertionError(f"compose.yaml needs {name}: {arg}")

    return "$".join(VARIABLE.sub(resolve, part) for part in value.split("$$"))


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(raw: dict) -> dict[str, dict]:
    """The services as Compose runs them with the values of .env.example."""
    return interpolate(raw["services"], env_example())


def redis_args(services: dict[str, dict]) -> dict[str, str]:
    command = services["redis"]["command"]
    assert command[0] == "redis-server"
    return {command[i]: command[i + 1] for i in range(1, len(command), 2)}


def seconds(duration: str) -> float:
    """A Compose duration such as 5m30s or 90s."""
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert parts and duration, f"not a duration: {duration!r}"
    hours, minutes, secs = (int(p or 0) for p in parts.groups())
    return hours * 3600 + minutes * 60 + secs


def image_env() -> dict[str, str]:
    """The ENV instructions of docker/Dockerfile."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(token.split("=", 1) for token in shlex.split(line[4:]))
    return env


def test_redis_is_not_published(services):
    redis = services["redis"]
    assert "ports" not in redis
    assert redis.get("network_mode") != "host"


def test_redis_password_is_required_and_used_by_every_role(raw, services):
    password = env_example()["REDIS_PASSWORD"]
    assert redis_args(services)["--requirepass"] == password
    assert "${REDIS_PASSWORD:?" in " ".join(raw["services"]["redis"]["command"])
    for name in DOCVAULT_SERVICES:
        url = urlparse(services[name]["environment"]["REDIS_URL"])
        assert (url.hostname, url.port, url.password) == ("redis", 6379, password), name


def test_redis_appends_every_second_and_never_evicts(services):
    args = redis_args(services)
    assert args["--appendonly"] == "yes"
    assert args["--appendfsync"] == "everysec"
    assert args["--maxmemory-policy"] == "noeviction"
    assert args["--maxmemory"] != "0"  # without a ceiling, noeviction never applies
    assert any(v.endswith(":/data") for v in services["redis"]["volumes"]), "the AOF must be on a volume"


def test_every_service_has_a_healthcheck(services):
    for name, service in services.items():
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), name
    assert services["ingest"]["healthcheck"]["test"] == ["CMD", "docvault", "health", "--only", "watcher"]
    assert services["worker"]["healthcheck"]["test"] == ["CMD", "docvault", "health", "--only", "worker"]
    redis_check = " ".join(services["redis"]["healthcheck"]["test"])
    assert '"$REDIS_PASSWORD"' in redis_check and "ping" in redis_check
    assert services["redis"]["environment"]["REDIS_PASSWORD"] == env_example()["REDIS_PASSWORD"]


def test_ingest_and_worker_share_one_data_volume_so_claims_are_renames(services):
    data = f"{env_example()['DATA_DIR']}:/data"
    assert services["ingest"]["volumes"] == [data]
    assert services["worker"]["volumes"] == [data]
    env = image_env()
    config = load_config(REPO / "config.yaml", env=env)
    assert env["DOCVAULT_CONFIG"] == "/etc/docvault/config.yaml"
    assert "COPY config.yaml /etc/docvault/config.yaml" in DOCKERFILE.read_text()
    for folder in (config.paths.inbox, config.paths.outbox, config.paths.work):
        assert folder.parent == Path("/data"), folder


def test_worker_grace_period_covers_a_page(services):
    page_timeout = load_config(REPO / "config.yaml", env={}).pipeline.page_timeout_seconds
    assert seconds(services["worker"]["stop_grace_period"]) >= page_timeout + 10


def test_worker_scales_and_has_a_memory_limit(services):
    worker = services["worker"]
    assert "container_name" not in worker and "ports" not in worker
    assert worker["command"] == ["docvault", "worker"]
    assert re.fullmatch(r"\d+[kmg]", worker["mem_limit"])


def test_dashboard_requires_basic_auth_and_publishes_a_configurable_port(raw, services):
    dashboard = services["dashboard"]
    assert dashboard["command"] == ["docvault", "dashboard", "--host", "0.0.0.0"]
    for var in ("DASHBOARD_USERNAME", "DASHBOARD_PASSWORD"):
        assert raw["services"]["dashboard"]["environment"][var].startswith(f"${{{var}:?")
        assert dashboard["environment"][var] == env_example()[var]
    assert dashboard["ports"] == [f"{env_example()['DASHBOARD_PORT']}:9181"]
    assert "EXPOSE 9181" in DOCKERFILE.read_text()


def test_every_service_restarts_and_rotates_its_logs(services):
    for name, service in services.items():
        assert service["restart"] in ("unless-stopped", "always"), name
        assert service["logging"] == {"driver": "json-file",
                                      "options": {"max-size": "10m", "max-file": "3"}}, name


def test_docvault_roles_wait_for_a_healthy_redis(services):
    for name in DOCVAULT_SERVICES:
        assert services[name]["depends_on"] == {"redis": {"condition": "service_healthy"}}, name


def test_every_role_runs_the_one_image(services):
    images = {services[name]["image"] for name in DOCVAULT_SERVICES}
    assert images == {env_example()["DOCVAULT_IMAGE"]}
    # Built once, by the first of them that Compose creates; a build in every service
    # would build it three times.
    assert list(services).index("ingest") < min(list(services).index(name) for name in DOCVAULT_SERVICES[1:])
    assert services["ingest"]["build"] == {"context": ".", "dockerfile": "docker/Dockerfile"}
    assert not any("build" in services[name] for name in DOCVAULT_SERVICES[1:])


def test_api_requires_a_key_shares_the_data_and_publishes_a_configurable_port(raw, services):
    api = services["api"]
    assert api["command"] == ["docvault", "api", "--host", "0.0.0.0"]
    assert raw["services"]["api"]["environment"]["API_KEY"].startswith("${API_KEY:?")
    assert api["volumes"] == services["ingest"]["volumes"]
    assert api["ports"] == [f"{env_example()['API_PORT']}:8080"]
    assert load_config(REPO / "config.yaml", env={}).api.port == 8080


def test_env_example_documents_every_variable(raw):
    used = set(VARIABLE.findall(COMPOSE.read_text().replace("$$", "")))
    used_names = {name for name, _, _ in used}
    lines = ENV_EXAMPLE.read_text().splitlines()
    documented = {line.split("=", 1)[0]: i for i, line in enumerate(lines)
                  if line and not line.startswith("#")}
    assert used_names <= set(documented), used_names - set(documented)
    for name in used_names:  # a comment above it, or above its block of assignments
        above = documented[name] - 1
        while above > 0 and lines[above] and not lines[above].startswith("#"):
            above -= 1
        assert lines[above].startswith("#"), f"{name} has no comment above it"


def test_compose_file_uses_only_keys_old_compose_reads(raw):
    # docker-compose 1.x reads format 2.4 (1.21+), which has depends_on conditions and
    # mem_limit; Compose v2 reads it too. Newer keys would break the older compose.
    assert raw["version"] == "2.4"
    assert set(raw) <= {"version", "services", "volumes", "networks", "x-docvault"}
    for name, service in raw["services"].items():
        assert not {"develop", "deploy", "configs", "secrets", "include"} & set(service), name


def test_dockerfile_and_makefile_install_through_the_one_script():
    makefile = (REPO / "Makefile").read_text()
    dockerfile = DOCKERFILE.read_text()
    assert f"sh {INSTALL_SCRIPT}\n" in makefile
    assert re.search(rf"^COPY {INSTALL_SCRIPT} docker/$", dockerfile, re.M)
    assert re.search(rf"^RUN sh {INSTALL_SCRIPT} --debian-python --image ", dockerfile, re.M)
    assert "venv --system-site-packages" in dockerfile
    assert re.search(r'^ENTRYPOINT \["/usr/bin/tini", "--", ', dockerfile, re.M)


def _ignored(path: str) -> bool:
    """Whether .dockerignore leaves `path` (a top-level name, or below one) out of the
    build context: its patterns are plain names, `/name`, `/*.glob` and `**/name`."""
    patterns = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    parts = path.split("/")
    for pattern in patterns:
        if pattern.startswith("**/"):
            if any(fnmatch.fnmatch(part, pattern[3:]) for part in parts):
                return True
        elif fnmatch.fnmatch(parts[0], pattern.lstrip("/")):
            return True
    return False


def test_build_context_holds_what_setup_cfg_packages_and_the_dockerfile_copies():
    # The image installs what setup.cfg's `packages = find:` includes from `COPY . .`:
    # a new top-level package needs no change to docker/; .dockerignore only keeps the
    # heavy and private folders out.
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    packages = [p.rstrip("*") for p in cfg["options.packages.find"]["include"].split()]
    assert packages and all((REPO / p / "__init__.py").exists() for p in packages)
    for needed in [*packages, "setup.cfg", "pyproject.toml", "README.md", "config.yaml", "docker"]:
        assert not _ignored(needed), needed
    for private in (".git", ".venv", ".env", "tests", "inbox", "outbox", "work", "docvault-ingest-armv7.tar.gz",
                    "ingest/__pycache__"):
        assert _ignored(private), private
    dockerfile = DOCKERFILE.read_text()
    assert re.search(r"^COPY \. \.$", dockerfile, re.M)
    for line in dockerfile.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            for source in line.split()[1:-1]:
                assert source == "." or not _ignored(source), source
                assert (REPO / source).exists(), source


def image_packages() -> list[str]:
    out = subprocess.run(["sh", INSTALL_SCRIPT, "--print", "--debian-python", "--image"],
                         cwd=REPO, capture_output=True, text=True, check=True).stdout
    return out.split()


def test_image_packages_cover_ocr_languages_poppler_and_debian_python():
    packages = set(image_packages())
    languages = {f"tesseract-ocr-{lang}" for lang in ("eng", "deu", "fra", "spa", "ita", "osd")}
    assert languages | {"tesseract-ocr", "poppler-utils", "redis-server"} <= packages
    # PyPI has no armv7 wheels for Pillow and PyYAML: Debian's are used instead.
    assert {"python3", "python3-venv", "python3-pil", "python3-yaml", "python3-regex", "python3-numpy",
            "python3-stdnum", "tini", "tzdata"} <= packages


def test_image_packages_install_on_a_bare_debian(tmp_path):
    """apt resolves the image's package list against an empty package database, as on
    a fresh debian:bookworm-slim: a misspelt or vanished package fails here, not in a
    build on the NAS."""
    if shutil.which("apt-get") is None:
        pytest.skip("no apt-get here: the image's package list can only be resolved on Debian")
    probe = subprocess.run(["apt-cache", "policy", "tesseract-ocr"], capture_output=True, text=True)
    # A version table line naming a repository, not only the installed package's status.
    if not re.search(r"^ +\d+ (?!/var/lib/dpkg/status)\S+", probe.stdout, re.M):
        pytest.skip("apt has no package lists here (run `apt-get update`), so it cannot "
                    "resolve the image's packages")
    empty = tmp_path / "status"
    empty.write_text("")
    result = subprocess.run(
        ["apt-get", "install", "--simulate", "--no-install-recommends", "-q",
         "-o", f"Dir::State::status={empty}", *image_packages()],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    installed = set(re.findall(r"^Inst (\S+)", result.stdout, re.M))
    assert set(image_packages()) <= installed


COMPOSE_CLIENTS = {
    "compose-v2": ["docker", "compose"],
    "compose-v1": ["docker-compose"],
}


def compose_command(client: str) -> list[str]:
    """The compose client's command, or a skip saying why it cannot run here."""
    command = COMPOSE_CLIENTS[client]
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed here, so `{' '.join(command)} config` cannot run")
    if client == "compose-v2" and subprocess.run(
            [*command, "version"], capture_output=True).returncode != 0:
        pytest.skip("the docker client here has no compose plugin (`docker compose` is a "
                    "plugin; `config` would need no engine, but the plugin is missing)")
    return command


@pytest.mark.parametrize("client", sorted(COMPOSE_CLIENTS))
def test_compose_accepts_the_file(client, tmp_path):
    """`config` parses, validates and interpolates without talking to an engine."""
    command = compose_command(client)
    project = ["--project-directory", str(REPO)] if client == "compose-v2" else []
    result = subprocess.run(
        [*command, "--env-file", str(ENV_EXAMPLE), "-f", str(COMPOSE), *project, "config"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert set(resolved["services"]) == {"redis", *DOCVAULT_SERVICES}
    assert resolved["services"]["worker"]["stop_grace_period"] == "5m30s"


# docker/entrypoint.sh, run for real as root in a private mount namespace: a copy of
# /etc with the image's docvault user is mounted over /etc, and an empty tmpfs over /mnt
# stands for the share, so usermod, setpriv and chown act as they do in the container.
ENTRYPOINT_SCENARIO = r"""
set -eu
mount --bind "$ETC_COPY" /etc
mount -t tmpfs -o mode=755 docvault-test /mnt
mkdir /mnt/bin /mnt/data
printf '%s\n' '#!/bin/sh' \
    'mkdir -p "$INBOX_DIR" && touch "$INBOX_DIR/probe"' \
    'echo "ran $(id -u):$(id -g) umask $(umask) home $HOME: $*"' > /mnt/bin/docvault
chmod 755 /mnt/bin/docvault
$PREPARE
status=0
PATH="/mnt/bin:$PATH" sh "$ENTRYPOINT" docvault watch || status=$?
echo "exit $status"
[ ! -e /mnt/data/inbox/probe ] || echo "probe $(stat -c %u:%g /mnt/data/inbox/probe)"
"""


def run_entrypoint(tmp_path: Path, prepare: str = "", **env: str) -> subprocess.CompletedProcess:
    if os.geteuid() != 0:
        pytest.skip("the entrypoint test needs root, as the container's entrypoint does "
                    "(it changes a user's ids and drops privileges)")
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"no mount namespace for the entrypoint test here: {probe.stderr.strip()}")
    etc = tmp_path / "etc"
    shutil.copytree("/etc", etc, symlinks=True)
    for name, line in (("passwd", "docvault:x:1000:1000::/home/docvault:/usr/sbin/nologin"),
                       ("group", "docvault:x:1000:"), ("shadow", "docvault:!:19000::::::"),
                       ("gshadow", "docvault:!::")):
        with (etc / name).open("a") as file:
            file.write(line + "\n")
    variables = {"ETC_COPY": str(etc), "ENTRYPOINT": str(REPO / "docker" / "entrypoint.sh"),
                 "PREPARE": prepare, "INBOX_DIR": "/mnt/data/inbox",
                 "OUTBOX_DIR": "/mnt/data/outbox", "UPLOAD_DIR": "/mnt/data/work",
                 "PATH": os.environ["PATH"], **env}
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                           ENTRYPOINT_SCENARIO], env=variables, capture_output=True,
                          text=True, timeout=60)


def test_entrypoint_runs_the_role_as_puid_pgid(tmp_path):
    result = run_entrypoint(tmp_path, PUID="1234", PGID="100")
    assert "ran 1234:100 umask 0002 home /home/docvault: watch" in result.stdout, result.stderr
    assert "exit 0" in result.stdout
    assert "probe 1234:100" in result.stdout  # the outbox's files belong to the share owner


def test_entrypoint_explains_a_share_it_cannot_write(tmp_path):
    # A share that is not empty and belongs to someone else is left as it is.
    result = run_entrypoint(tmp_path, prepare="touch /mnt/data/keep", PUID="1234", PGID="100")
    assert "exit 1" in result.stdout and "ran " not in result.stdout
    assert "/mnt/data is not writable for PUID=1234 PGID=100" in result.stderr


def test_entrypoint_refuses_ids_that_are_not_numbers(tmp_path):
    result = run_entrypoint(tmp_path, PUID="admin", PGID="100")
    assert "exit 2" in result.stdout
    assert "PUID and PGID must be numbers" in result.stderr


# compose.worker.yaml: workers on a second machine, with the values its .env would hold.
WORKER_COMPOSE = REPO / "compose.worker.yaml"
WORKER_ENV = {"REDIS_HOST": "192.168.1.10", "REDIS_PASSWORD": "0123456789abcdef0123456789abcdef",
              "DATA_DIR": "/mnt/docvault", "WORKER_HOSTNAME": "office-pc", "PUID": "1000", "PGID": "100"}


def test_second_machine_workers_run_as_the_nas_workers_do(services):
    raw = yaml.safe_load(WORKER_COMPOSE.read_text())
    assert set(raw["services"]) == {"worker"}, "only workers run on a second machine, never the watcher"
    remote = interpolate(raw["services"]["worker"], WORKER_ENV)
    nas = services["worker"]
    for key in ("command", "stop_grace_period", "healthcheck", "restart"):
        assert remote[key] == nas[key], key
    assert set(remote["environment"]) == set(nas["environment"]) - {"WORKER_POLL_INTERVAL"}
    url = urlparse(remote["environment"]["REDIS_URL"])
    assert (url.hostname, url.port, url.password) == ("192.168.1.10", 6379, WORKER_ENV["REDIS_PASSWORD"])
    assert remote["volumes"] == ["/mnt/docvault:/data"]
    assert remote["hostname"] == "office-pc"
    for name in ("REDIS_HOST", "REDIS_PASSWORD", "DATA_DIR", "WORKER_HOSTNAME"):
        with pytest.raises(AssertionError, match=name):
            interpolate(raw["services"]["worker"], {k: v for k, v in WORKER_ENV.items() if k != name})


@pytest.mark.parametrize("client", sorted(COMPOSE_CLIENTS))
def test_compose_accepts_the_second_machine_file(client, tmp_path):
    command = compose_command(client)
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in WORKER_ENV.items()))
    project = ["--project-directory", str(REPO)] if client == "compose-v2" else []
    result = subprocess.run(
        [*command, "--env-file", str(env_file), "-f", str(WORKER_COMPOSE), *project, "config"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    worker = yaml.safe_load(result.stdout)["services"]["worker"]
    assert worker["hostname"] == "office-pc" and worker["stop_grace_period"] == "5m30s"
