"""The appliance's settings: config.yaml, then environment variables on top.

Loaded once per entry point (daemon, worker, CLI command) and passed down. An unknown
key or a bad value stops start-up with a message that names the key, because a typo in a
file nobody reads again must not silently fall back to a default for years.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import logging
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from docvault.core.categories import CategoryRules, parse_categories
from docvault.core.errors import ConfigError

log = logging.getLogger(__name__)

PRIORITIES = ("high", "normal", "low")  # queue order: a worker drains high first


class DuplicateMode(enum.Enum):
    PROCESS = "process"  # process it like any other file
    SKIP = "skip"  # move it to outbox/duplicates with a sidecar naming the earlier task
    FLAG = "flag"  # process it; the JSON names the earlier task with the same content


class OcrMode(enum.Enum):
    AUTO = "auto"  # OCR pages without a text layer; take the text layer where there is one
    FORCE = "force"  # OCR every page
    SKIP = "skip"  # never OCR; text layers only


class PdfType(enum.Enum):
    PDFA_2B = "pdfa-2b"  # PDF/A-2b where the original allows it without re-encoding
    PDF = "pdf"  # the original with its text layer, nothing else added


@dataclass(frozen=True, slots=True)
class RedisSettings:
    url: str = ""  # empty: redis://127.0.0.1:6379/0, started by `docvault up` if silent
    start_local: bool = True  # `docvault up` may start its own redis-server

    @property
    def effective_url(self) -> str:
        return self.url or "redis://127.0.0.1:6379/0"

    @property
    def password(self) -> str:
        return urlsplit(self.effective_url).password or ""

    @property
    def shown_url(self) -> str:
        """The URL for logs and messages: its password (and user) replaced by ***."""
        scheme, sep, rest = self.effective_url.partition("://")
        credentials, at, host = rest.rpartition("@")
        return f"{scheme}{sep}***@{host}" if at and credentials else self.effective_url


@dataclass(frozen=True, slots=True)
class Paths:
    inbox: Path = Path("inbox")
    outbox: Path = Path("outbox")
    work: Path = Path("work")

    @property
    def tasks(self) -> Path:
        return self.work / "tasks"

    @property
    def failed(self) -> Path:
        return self.outbox / "failed"

    def in_outbox(self, path: Path) -> str:
        """`path` (in the outbox) as the status and the results keep it: relative to the
        outbox, so that a worker on another machine, which mounts the share at a path of
        its own, writes records every machine can read."""
        return path.relative_to(self.outbox).as_posix()

    @property
    def duplicates(self) -> Path:
        return self.outbox / "duplicates"

    @property
    def names_lock(self) -> Path:
        """Held while a free outbox name is chosen and its files are written."""
        return self.work / "outbox-names.lock"


@dataclass(frozen=True, slots=True)
class IngestSettings:
    settle_seconds: float = 2.0
    max_wait_seconds: float = 600.0  # a PDF without %%EOF is claimed after this long anyway
    rescan_seconds: float = 60.0
    polling: bool = False
    duplicates: DuplicateMode = DuplicateMode.FLAG
    ignore: tuple[str, ...] = (
        ".*", "._*", "Thumbs.db", "desktop.ini", "~$*",
        "*.tmp", "*.part", "*.partial", "*.filepart", "*.crdownload", "*.swp",
        "@Recycle", "@Recently-Snapshot", "@eaDir", "#recycle", "__MACOSX",
    )


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    count: int = 0  # 0: one per core
    max_retries: int = 3
    retry_delays: tuple[int, ...] = (10, 60, 300)
    heartbeat_seconds: int = 10  # a worker silent for 3 heartbeats is dead; its task is requeued


@dataclass(frozen=True, slots=True)
class PipelineSettings:
    languages: tuple[str, ...] = ("eng",)
    dpi: int = 300
    ocr_mode: OcrMode = OcrMode.AUTO
    max_pages: int = 500
    max_megapixels: float = 100.0
    page_timeout_seconds: int = 300
    tesseract_cmd: str = "tesseract"
    page_workers: int = 0  # pages of one document read at once; 0: the cores left idle
    # inbox folder ("high", "normal/german") -> languages ("deu", "eng+deu")
    inbox_languages: dict[str, str] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return "+".join(self.languages)

    def for_task(self, priority: str, relpath: str | None, language: str | None = None) -> PipelineSettings:
        """These settings with the languages chosen for one file: its own (an upload's
        `language`), else those of the deepest inbox folder configured in inbox_languages
        that holds it (inbox/<priority>/<relpath>/), else the default."""
        if language:
            return dataclasses.replace(self, languages=tuple(language.split("+")))
        folder = "/".join(p for p in (priority, relpath or "") if p).strip("/")
        while folder:
            if folder in self.inbox_languages:
                languages = tuple(self.inbox_languages[folder].replace(",", "+").split("+"))
                return dataclasses.replace(self, languages=tuple(x.strip() for x in languages if x.strip()))
            folder = folder.rpartition("/")[0]
        return self


@dataclass(frozen=True, slots=True)
class OutputSettings:
    files: tuple[str, ...] = ("txt", "json", "pdf")  # written to the outbox beside the original
    pdf_type: PdfType = PdfType.PDFA_2B


@dataclass(frozen=True, slots=True)
class ResultSettings:
    ttl_hours: float = 24.0
    status_ttl_days: float = 7.0

    @property
    def result_ttl(self) -> int:
        return int(self.ttl_hours * 3600)

    @property
    def status_ttl(self) -> int:
        return int(self.status_ttl_days * 86400)


@dataclass(frozen=True, slots=True)
class NotifySettings:
    webhook_url: str = ""  # empty: no webhooks
    webhook_secret: str = ""  # HMAC-SHA256 key for the X-DocVault-Signature header; required
    retry_delays: tuple[int, ...] = (10, 60, 300, 900, 3600)  # one retry per delay
    timeout_seconds: float = 5.0


@dataclass(frozen=True, slots=True)
class DashboardSettings:
    host: str = "127.0.0.1"
    port: int = 9181
    username: str = ""
    password: str = ""


@dataclass(frozen=True, slots=True)
class ApiSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    key: str = ""  # required on every endpoint but /healthz when set
    max_upload_mb: float = 200.0

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class Config:
    redis: RedisSettings = field(default_factory=RedisSettings)
    paths: Paths = field(default_factory=Paths)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    pipeline: PipelineSettings = field(default_factory=PipelineSettings)
    output: OutputSettings = field(default_factory=OutputSettings)
    results: ResultSettings = field(default_factory=ResultSettings)
    categories: CategoryRules = field(default_factory=lambda: parse_categories(None))
    notify: NotifySettings = field(default_factory=NotifySettings)
    dashboard: DashboardSettings = field(default_factory=DashboardSettings)
    api: ApiSettings = field(default_factory=ApiSettings)
    source: Path | None = None  # the config.yaml this came from, if any


# Environment variable -> the key it overrides. Documented in config.yaml.
ENV_OVERRIDES = {
    "REDIS_URL": "redis.url",
    "INBOX_DIR": "paths.inbox",
    "OUTBOX_DIR": "paths.outbox",
    "UPLOAD_DIR": "paths.work",
    "WORKER_MAX_RETRIES": "worker.max_retries",
    "TESSERACT_LANGUAGES": "pipeline.languages",
    "WORKER_POLL_INTERVAL": "ingest.rescan_seconds",
    "NOTIFY_WEBHOOK_URL": "notify.webhook_url",
    "NOTIFY_WEBHOOK_SECRET": "notify.webhook_secret",
    "DASHBOARD_HOST": "dashboard.host",
    "DASHBOARD_PORT": "dashboard.port",
    "DASHBOARD_USERNAME": "dashboard.username",
    "DASHBOARD_PASSWORD": "dashboard.password",
    "API_HOST": "api.host",
    "API_PORT": "api.port",
    "API_KEY": "api.key",
}

# Keys that moved, old -> new: an old config.yaml keeps working (with a warning in the log).
MOVED_KEYS = {
    "pipeline.outputs": "output.files",
    "pipeline.pdf_type": "output.pdf_type",
}


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read config.yaml (if present), apply environment overrides, validate everything.

    Relative paths in the file are taken relative to the file's folder, so the
    appliance behaves the same whatever directory it is started from.
    """
    env = os.environ if env is None else env
    explicit = path is not None or "DOCVAULT_CONFIG" in env
    path = path or Path(env.get("DOCVAULT_CONFIG", "config.yaml"))
    raw: dict = {}
    base = Path.cwd()
    if path.exists():
        try:
            # libyaml's safe loader where PyYAML has it (Debian's and the wheels do):
            # 5 ms against 40 ms, and every job loads the config.
            loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{path} must hold a mapping of sections, not {type(loaded).__name__}")
        raw = loaded or {}
        base = path.resolve().parent
    elif explicit:
        raise ConfigError(f"config file {path} does not exist")
    _move_keys(raw, path)
    for var, dotted in ENV_OVERRIDES.items():
        if env.get(var, "") != "":
            _set_dotted(raw, dotted, env[var], origin=var)
    categories = parse_categories(raw.pop("categories", None))
    config = _build(Config, raw, "")
    paths = Paths(*(p if p.is_absolute() else base / p for p in dataclasses.astuple(config.paths)))
    if config.notify.webhook_url and not config.notify.webhook_secret:
        raise ConfigError("notify.webhook_url is set but notify.webhook_secret (env "
                          "NOTIFY_WEBHOOK_SECRET) is empty: a receiver could not tell our POSTs "
                          "from anyone's; set a long random secret, e.g. `openssl rand -hex 32`")
    return dataclasses.replace(config, paths=paths, categories=categories,
                               source=path if path.exists() else None)


# What a long-lived process loaded last: (what it was loaded from, the config).
_kept: tuple[tuple, Config] | None = None


def current_config() -> Config:
    """load_config() for a process that runs job after job (a worker and the work horses
    it forks): the file is parsed again only when its text, or the environment or folder
    it is read from, changed. Parsing it took 13-18 ms of every job's CPU here (its
    keyword lists are long), several times that on ARM; reading it to compare, a few
    microseconds. An edit still reaches the next job."""
    global _kept
    env = os.environ
    try:
        text: bytes | None = Path(env.get("DOCVAULT_CONFIG", "config.yaml")).read_bytes()
    except OSError:
        text = None
    key = (str(Path.cwd()), text, *(env.get(var) for var in ("DOCVAULT_CONFIG", *ENV_OVERRIDES)))
    if _kept is None or _kept[0] != key:
        _kept = (key, load_config())
    return _kept[1]


def _move_keys(raw: dict, path: Path) -> None:
    for old, new in MOVED_KEYS.items():
        old_section, old_key = old.split(".")
        section = raw.get(old_section)
        if not isinstance(section, dict) or old_key not in section:
            continue
        new_section, new_key = new.split(".")
        target = raw.setdefault(new_section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"{new_section}: must be a mapping (needed for {old}, which moved to {new})")
        if new_key in target:
            raise ConfigError(f"{path}: {old} moved to {new}, and both are set; keep {new} only")
        target[new_key] = section.pop(old_key)
        _warn_once(f"{path}: {old} is now {new}; it is read from the old place as well, "
                   "but please move it")


@functools.cache
def _warn_once(message: str) -> None:
    log.warning("%s", message)


def _set_dotted(raw: dict, dotted: str, value: str, origin: str) -> None:
    section, key = dotted.split(".")
    target = raw.setdefault(section, {})
    if not isinstance(target, dict):
        raise ConfigError(f"{section}: must be a mapping (needed for {origin})")
    target[key] = _EnvValue(value, origin)


class _EnvValue(str):
    """A value from the environment: remembers its variable for error messages and is
    split on commas or '+' where a list is expected."""

    origin: str

    def __new__(cls, value: str, origin: str) -> _EnvValue:
        obj = super().__new__(cls, value)
        obj.origin = origin
        return obj


def _build(cls: type, raw: object, prefix: str) -> object:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{prefix.rstrip('.') or 'config'}: must be a mapping of keys")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in ("source", "categories")}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(
            f"unknown key {prefix}{unknown[0]} in config (known here: {', '.join(fields)})"
        )
    values = {}
    for name, value in raw.items():
        values[name] = _convert(hints[name], value, f"{prefix}{name}")
    return cls(**values)


def _convert(kind: object, value: object, key: str) -> object:
    where = f"{key} (from {value.origin})" if isinstance(value, _EnvValue) else key
    if dataclasses.is_dataclass(kind):
        return _build(kind, value, f"{key}.")
    origin = typing.get_origin(kind)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping of keys to values, got {value!r}")
        key_kind, value_kind = typing.get_args(kind)
        return {_convert(key_kind, str(k), key): _convert(value_kind, v, f"{key}.{k}") for k, v in value.items()}
    if origin is tuple:
        item = typing.get_args(kind)[0]
        if isinstance(value, str):
            value = [v for v in value.replace("+", ",").split(",") if v.strip()]
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        return tuple(_convert(item, v.strip() if isinstance(v, str) else v, key) for v in value)
    if origin in (typing.Union, types.UnionType):
        kind = next(a for a in typing.get_args(kind) if a is not type(None))
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        choices = [m.value for m in kind]
        if value not in choices:
            raise ConfigError(f"{where}: expected one of {', '.join(choices)}, got {value!r}")
        return kind(value)
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "1", "false", "no", "0"):
            return value.lower() in ("true", "yes", "1")
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    if kind in (int, float):
        if isinstance(value, bool):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected a number, got {value!r}") from None
        if number < 0:
            raise ConfigError(f"{where}: must not be negative, got {value!r}")
        return number
    if kind is Path:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: expected a folder path, got {value!r}")
        return Path(value)
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected text, got {value!r}")
        return str(value)
    raise ConfigError(f"{where}: unsupported setting type {kind!r}")
