"""One error hierarchy; each error carries a message a NAS owner can act on.

`reason` is the short code written to the failed sidecar; `transient` says whether a
retry with backoff can help (a tesseract crash can, a password-protected PDF cannot).
"""


class DocVaultError(Exception):
    reason = "error"
    transient = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(DocVaultError):
    """config.yaml or an environment variable is wrong; the message names the key."""

    reason = "config"


class UnsupportedFile(DocVaultError):
    reason = "unsupported"


class CorruptFile(DocVaultError):
    reason = "corrupt"


class EncryptedPdf(DocVaultError):
    reason = "encrypted"


class LimitExceeded(DocVaultError):
    reason = "limit"


class UnsafeFile(DocVaultError):
    """A symlink, device or FIFO in the inbox: never followed, never read."""

    reason = "unsafe"


class InvalidRecord(DocVaultError):
    """A file DocVault wrote for itself (a task manifest, a batch marker, an error file) is
    not as it was written: a link, a pipe, too large, or a field out of its pattern."""

    reason = "invalid-record"


class OcrFailed(DocVaultError):
    """Tesseract crashed or timed out; another attempt may succeed."""

    reason = "ocr"
    transient = True


class WatcherDied(DocVaultError):
    """The folder watcher cannot run; the daemon exits so its supervisor restarts it."""

    reason = "watcher"


class WorkerLost(DocVaultError):
    """The worker died while reading this file, as many times as retries allow."""

    reason = "worker-lost"


class TaskFailed(DocVaultError):
    """What RQ records for a failed job: the task id and reason, never the file name
    (rq-dashboard shows it unescaped); the error file in outbox/failed has the details."""

    reason = "failed"


def message_for(exc: BaseException) -> str:
    """What to tell the owner about `exc`: our message, or a plain note for the unexpected.

    The note names the exception's type only: its text (server paths, a library's words)
    goes to the error file's traceback, never to the status that API clients, webhooks
    and rq-dashboard show."""
    if isinstance(exc, DocVaultError):
        return exc.message
    return f"unexpected error ({type(exc).__name__}); the developers' details are in the error file"


# A file that failed for one of these fails again as long as it is not changed: a retry of
# every failed file (`docvault retry --failed`) leaves it where it is, and says so.
FAILS_UNCHANGED = frozenset(e.reason for e in (UnsupportedFile, CorruptFile, EncryptedPdf, UnsafeFile))
